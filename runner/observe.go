package runner

import (
	"context"
	"encoding/json"
	"log/slog"

	"go.opentelemetry.io/otel/attribute"

	"industrydata"
	"industrydata/tracing"
)

// job executes one claimed job in its span, which continues the trace of
// the request that started it (the traceparent its payload carries), and
// counts it.
func (r *Runner) job(ctx context.Context, c industrydata.JobClaim) {
	finished := r.cfg.Metrics.Started(string(c.Kind), c.Attempt, r.cfg.Now)
	ctx, span := r.cfg.Tracing.StartJob(ctx, string(c.Kind), traceparentOf(c.Payload))
	defer span.End()
	span.SetAttributes(attribute.String("job.id", c.ID), attribute.Int("job.attempt", c.Attempt))
	var status string
	switch c.Kind {
	case industrydata.JobRun:
		status = r.execute(ctx, c)
	case industrydata.JobValidation:
		status = r.validate(ctx, c)
	}
	span.SetAttributes(attribute.String("job.status", status))
	finished(status)
}

// traceparentOf is the traceparent a job's payload carries, "" for none
// (a job queued before payloads carried one).
func traceparentOf(payload []byte) string {
	var p struct {
		TraceParent string `json:"traceparent"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return ""
	}
	return p.TraceParent
}

// jobLog is the logger of job c: its tenant, attempt and trace id, and
// the attributes that name it.
func (r *Runner) jobLog(ctx context.Context, c industrydata.JobClaim, args ...any) *slog.Logger {
	return r.log.With("tenant", c.Tenant, "attempt", c.Attempt, "trace_id", tracing.TraceID(ctx)).With(args...)
}
