package httpapi

import (
	"errors"
	"io"
	"net/http"

	"industrydata"
	"industrydata/service"
)

// POST /beta/$batch: Graph's JSON batching (SPEC §6). The batch is read
// and checked whole (batchparse.go), then each of its requests is sent
// through the same handler as a request from the network — routing,
// authentication with the batch's token, permissions, the tenant, the
// rate limit, validation, the audit log and every limit — and the answers
// are written as they come, in order (batchrun.go).

// batchPath is the route of $batch, below the version prefix.
const batchPath = "/$batch"

// Defaults of the batch's bounds (Config).
const (
	// DefaultMaxBatchBytes bounds a batch's body: twenty ordinary
	// requests many times over, and four bodies of the largest a single
	// request takes (MaxBodyBytes).
	DefaultMaxBatchBytes = 4 << 20
	// DefaultBatchConcurrency is how many requests of one batch run at
	// once, and so how many answers it holds at most.
	DefaultBatchConcurrency = 4
	// DefaultMaxBatchResponseBytes bounds each answer inside a batch: a
	// page of hundreds of entities fits; the CSV of a large report does
	// not, and is downloaded on its own.
	DefaultMaxBatchResponseBytes = 4 << 20
)

func (a *api) maxBatchBytes() int64 {
	if a.MaxBatchBytes > 0 {
		return a.MaxBatchBytes
	}
	return DefaultMaxBatchBytes
}

func (a *api) batchConcurrency() int {
	if a.BatchConcurrency > 0 {
		return a.BatchConcurrency
	}
	return DefaultBatchConcurrency
}

func (a *api) maxBatchResponseBytes() int {
	if a.MaxBatchResponseBytes > 0 {
		return a.MaxBatchResponseBytes
	}
	return DefaultMaxBatchResponseBytes
}

// batch answers POST $batch: 200 with {"responses": […]} once the batch
// reads well, whatever its requests answer; 400 or 413 for the batch
// otherwise.
func (a *api) batch(w http.ResponseWriter, r *http.Request, _ *service.Tenant) error {
	if _, ok := r.Context().Value(keyBatch).(batchMark); ok {
		// parseBatch refuses a nested $batch already; this guards the
		// handler itself, whatever reaches it.
		return industrydata.Errorf(industrydata.CodeBadRequest, "A batch cannot hold a $batch.")
	}
	if _, err := queryOptions(r); err != nil {
		return err
	}
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	limit := a.maxBatchBytes()
	tooLarge := industrydata.Errorf(industrydata.CodeRequestEntityTooLarge, "The batch is larger than the limit of %d bytes.", limit)
	if r.ContentLength > limit {
		return tooLarge
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge
		}
		return industrydata.Errorf(industrydata.CodeBadRequest, "The batch could not be read.")
	}
	reqs, err := parseBatch(data)
	if err != nil {
		return err
	}
	order, err := batchOrder(reqs)
	if err != nil {
		return err
	}
	a.runBatch(w, r, reqs, order)
	return nil
}
