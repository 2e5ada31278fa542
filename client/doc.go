// Package client is a Go client of the industryData API that industrydata
// serve offers (and of Microsoft Graph beta's industryData, whose shapes it
// shares): typed methods for every entity set and action served, pages as
// iterators that follow @odata.nextLink, Graph errors as *Error, retries
// of throttled requests, WaitForOperation for the long-running operations
// that runs and validations return, and an upload of a directory's
// OneRoster CSV files to a data connector's upload session with the Azure
// Storage SDK.
//
//	c, err := client.New("http://127.0.0.1:8080", client.Options{Token: client.StaticToken(tok)})
//	for op, err := range c.Operations().List(ctx, &client.Query{Filter: "status eq 'running'"}) { … }
//	started, err := c.StartRuns(ctx)
//	op, err := c.WaitForOperation(ctx, started.OperationLocation, func(op client.Operation) { … })
//
// # Retries
//
// A request the service answers with 429 (tooManyRequests) is sent again
// whatever its method: Graph, and this service, throttle a request before
// it does anything, so a throttled write was not made. A 503
// (serviceNotAvailable) may come from anywhere on the way, after the work
// too, so it is retried only for requests that are harmless to repeat:
// GET, HEAD, PUT and DELETE, and writes made conditional by If-Match (a
// repeat of one that went through fails its precondition rather than
// applying twice). POST (creating, starting a run, validating) is never
// retried on 503: a second run or a second entity is not harmless. The wait
// is the answer's Retry-After (seconds or an HTTP date); without one it
// doubles from Options.RetryDelay. A request is sent at most
// Options.MaxAttempts times, never after its context ends, and not when
// the service asks for a longer wait than Options.MaxRetryDelay: then the
// *Error is returned at once, its RetryAfter saying how long to wait.
//
// # URLs and the token
//
// Absolute URLs the service writes (@odata.nextLink, Location,
// resourceLocation) name its public host, which may not be the one the
// client was given (a proxy, --public-url). The client follows them by
// their path and query on its own base URL, so that the token only ever
// goes to the host the caller chose.
package client
