package main

import (
	"context"
	"fmt"
	"io"

	"industrydata/client"
)

// waitFor waits for the operation at location (--wait), showing its
// progress: on stdout, or on stderr with --output json so that stdout
// stays one JSON document. It returns the operation as it ended; whether
// it failed is the caller's to say.
func waitFor(ctx context.Context, c *client.Client, location, command string, f *apiFlags, stdout, stderr io.Writer) (client.Operation, error) {
	w := stdout
	if f.json() {
		w = stderr
	}
	p := newProgress(w, isTerminal(w), termWidth(w))
	op, err := c.WaitForOperation(ctx, location, p.show)
	p.end()
	if err != nil {
		if ctx.Err() != nil {
			return op, requestFailed{command: command, err: fmt.Errorf("stopped waiting; the operation goes on: %s", location)}
		}
		return op, failed(command, err)
	}
	return op, nil
}

// operationFields prints an operation's properties, one a line.
func operationFields(w io.Writer, op client.Operation) error {
	last := ""
	if op.LastActionDateTime != nil {
		last = when(op.LastActionDateTime)
	}
	kv := []string{
		"id", op.ID,
		"type", shortType(op.ODataType),
		"status", string(op.Status),
		"statusDetail", op.Detail(),
		"created", when(&op.CreatedDateTime),
		"lastAction", last,
		"resourceLocation", op.Location(),
	}
	if op.ValidatedFiles != nil {
		kv = append(kv, "validatedFiles", fmt.Sprint(op.ValidatedFiles))
	}
	return fields(w, kv...)
}
