package client

import (
	"context"
	"fmt"
)

// WaitForOperation reads the operation at location (a run's or a
// validation's Location) until it has succeeded or failed, and returns it
// as it ended: a failed operation is a result, not an error (its
// statusDetail, and a validation's Errors, say why). onProgress, when not
// nil, is called with the first reading and with every one whose status or
// statusDetail differs from the one before.
//
// It waits Options.PollInterval between readings while the operation
// changes, and half as long again after each reading that shows no change,
// up to Options.MaxPollInterval: brisk while there is news, gentle on the
// service while a long step goes on. It returns when ctx ends, with ctx's
// error and the last reading.
func (c *Client) WaitForOperation(ctx context.Context, location string, onProgress func(Operation)) (Operation, error) {
	var last Operation
	interval := c.opts.PollInterval
	for first := true; ; first = false {
		op, err := c.GetOperationAt(ctx, location)
		if err != nil {
			if ctx.Err() != nil {
				return last, ctx.Err()
			}
			return last, fmt.Errorf("client: waiting for the operation: %w", err)
		}
		changed := first || op.Status != last.Status || op.Detail() != last.Detail()
		last = op
		if changed && onProgress != nil {
			onProgress(op)
		}
		if op.Done() {
			return op, nil
		}
		if changed {
			interval = c.opts.PollInterval
		} else {
			interval = min(interval+interval/2, c.opts.MaxPollInterval)
		}
		if err := c.opts.Sleep(ctx, interval); err != nil {
			return last, err
		}
	}
}
