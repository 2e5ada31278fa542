package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"industrydata"
)

// UploadOptions change UploadRoster.
type UploadOptions struct {
	// BlockSize is the size of the blocks a file over 256 MiB goes in (a
	// smaller one goes in one Put Blob); 8 MiB.
	BlockSize int64
	// Concurrency is how many blocks of one file go at once; 4.
	Concurrency int
	// MaxRetries is how many times the Azure SDK retries a failed
	// request: 0 for its default (3), -1 for none.
	MaxRetries int32
	// Progress, when set, is called with 0 before each file and then as
	// its bytes go out (the SDK may report less after a retry).
	Progress func(file string, sent, size int64)
}

// UploadedFile is one file UploadRoster uploaded.
type UploadedFile struct {
	Name string
	Size int64
}

// UploadResult is what UploadRoster did: the files it uploaded, in name
// order, and the names in the directory it left alone because they are
// not OneRoster v1.1 CSV file names (which the service would refuse).
type UploadResult struct {
	Files   []UploadedFile
	Skipped []string
}

// UploadRoster uploads the OneRoster v1.1 CSV files of dir (manifest.csv,
// orgs.csv, users.csv, academicSessions.csv, courses.csv, classes.csv,
// enrollments.csv, demographics.csv: the names are case-sensitive) to an
// upload session's sessionUrl, with the Azure Storage SDK for Go as any
// Azure tool would: a container SAS URL, no token. A directory holding
// none of them is an error before anything is sent. The session's URL is
// used as given, on its own host, since in Graph it is Azure Storage's.
func (c *Client) UploadRoster(ctx context.Context, sessionURL, dir string, opts *UploadOptions) (UploadResult, error) {
	var o UploadOptions
	if opts != nil {
		o = *opts
	}
	if o.BlockSize <= 0 {
		o.BlockSize = 8 << 20
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	var res UploadResult
	entries, err := os.ReadDir(dir)
	if err != nil {
		return res, fmt.Errorf("client: upload: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if slices.Contains(industrydata.UploadFileNames, e.Name()) {
			names = append(names, e.Name())
		} else {
			res.Skipped = append(res.Skipped, e.Name())
		}
	}
	if len(names) == 0 {
		return res, fmt.Errorf("client: upload: %s holds no OneRoster v1.1 CSV file (%v)", dir, industrydata.UploadFileNames)
	}
	cc, err := container.NewClientWithNoCredential(sessionURL, &container.ClientOptions{ClientOptions: policy.ClientOptions{
		Transport: c.http,
		Retry:     policy.RetryOptions{MaxRetries: o.MaxRetries},
	}})
	if err != nil {
		return res, fmt.Errorf("client: upload: the session URL: %w", err)
	}
	for _, name := range names {
		size, err := uploadFile(ctx, cc, filepath.Join(dir, name), name, o)
		if err != nil {
			return res, err
		}
		res.Files = append(res.Files, UploadedFile{Name: name, Size: size})
	}
	return res, nil
}

// uploadFile uploads the file at path as the blob name and returns its
// size.
func uploadFile(ctx context.Context, cc *container.Client, path, name string, o UploadOptions) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("client: upload: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("client: upload: %w", err)
	}
	size := fi.Size()
	uo := &blockblob.UploadFileOptions{
		BlockSize:   o.BlockSize,
		Concurrency: uint16(min(o.Concurrency, 64)),
		HTTPHeaders: &blob.HTTPHeaders{BlobContentType: Ptr("text/csv")},
	}
	if o.Progress != nil {
		o.Progress(name, 0, size)
		uo.Progress = func(sent int64) { o.Progress(name, sent, size) }
	}
	if _, err := cc.NewBlockBlobClient(name).UploadFile(ctx, f, uo); err != nil {
		if ctx.Err() != nil {
			return 0, errors.Join(ctx.Err(), err)
		}
		return 0, fmt.Errorf("client: upload %s: %w", name, err)
	}
	return size, nil
}
