package client

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"time"
)

// Process is microsoft.graph.industryData.userReportRefreshProcess (and
// any other process type, which ODataType names).
type Process struct {
	Entity
	// ETag is the process's eTag property: the version a PATCH must carry.
	ETag            string          `json:"eTag,omitempty"`
	DisplayName     string          `json:"displayName,omitempty"`
	ReadinessStatus ReadinessStatus `json:"readinessStatus,omitempty"`
	// Runs are the 100 newest runs, with $expand=runs.
	Runs []Run `json:"runs,omitempty"`
}

// Run is microsoft.graph.industryData.industryDataRun.
type Run struct {
	Entity
	BlockingError *PublicError `json:"blockingError"`
	DisplayName   string       `json:"displayName"`
	EndDateTime   *time.Time   `json:"endDateTime"`
	StartDateTime time.Time    `json:"startDateTime"`
	Status        RunStatus    `json:"status"`
}

// StartedRun is the answer of a run's start: the run (running) and the
// URL of the operation that follows it, for WaitForOperation.
type StartedRun struct {
	Run               Run
	OperationLocation string
}

// Processes is the set of the tenant's processes (the
// userReportRefreshProcess); Create sends that type unless told another.
func (c *Client) Processes() *Set[Process] {
	return newSet[Process](c, "processes", "microsoft.graph.industryData.userReportRefreshProcess")
}

// Runs is the set of all the tenant's runs, newest first.
func (c *Client) Runs() *ReadSet[Run] { return &ReadSet[Run]{c: c, path: "runs"} }

// ProcessRuns iterates over the runs of one process, newest first.
func (c *Client) ProcessRuns(ctx context.Context, processID string, q *Query) iter.Seq2[Run, error] {
	return list[Run](c, ctx, "processes/"+segment(processID)+"/runs", q)
}

// StartRuns is runs/start, published Graph's action: one run that imports
// every ready inbound flow, then runs the tenant's ready process. A run
// already in progress is a 409 *Error.
func (c *Client) StartRuns(ctx context.Context) (StartedRun, error) {
	return c.start(ctx, "runs/start")
}

// StartProcessRun starts a run of the process alone (no import).
func (c *Client) StartProcessRun(ctx context.Context, processID string) (StartedRun, error) {
	if processID == "" {
		return StartedRun{}, errors.New("client: StartProcessRun needs a process id")
	}
	return c.start(ctx, "processes/"+segment(processID)+"/runs")
}

func (c *Client) start(ctx context.Context, ref string) (StartedRun, error) {
	var s StartedRun
	h, err := c.sendJSON(ctx, call{method: http.MethodPost, ref: ref}, nil, &s.Run)
	if err != nil {
		return s, err
	}
	setVersion(&s.Run, h)
	s.OperationLocation = h.Get("Location")
	if s.OperationLocation == "" {
		return s, fmt.Errorf("client: POST %s: the answer has no Location", ref)
	}
	return s, nil
}

// Activity is microsoft.graph.industryData.inboundFlowActivity: what a run
// did with one inbound flow.
type Activity struct {
	Entity
	DisplayName   string         `json:"displayName"`
	Status        ActivityStatus `json:"status"`
	BlockingError *PublicError   `json:"blockingError"`
	// Flow is the activity navigation, with $expand=activity: the flow,
	// or nil once it is deleted.
	Flow *InboundFlow `json:"activity,omitempty"`
}

// RunActivities is the set of one run's activities, in the order the run
// executes them.
func (c *Client) RunActivities(runID string) *ReadSet[Activity] {
	return &ReadSet[Activity]{c: c, path: "runs/" + segment(runID) + "/activities"}
}

// RunStatistics is microsoft.graph.industryData.industryDataRunStatistics.
type RunStatistics struct {
	RunID              string               `json:"runId"`
	Status             RunStatus            `json:"status"`
	ActivityStatistics []ActivityStatistics `json:"activityStatistics"`
	InboundTotals      *InboundTotals       `json:"inboundTotals"`
}

// ActivityStatistics is microsoft.graph.industryData.inboundActivityResults:
// what one import counted. The counts are nil for an activity that
// counted nothing (skipped, not yet executed).
type ActivityStatistics struct {
	ODataType     string         `json:"@odata.type"`
	ActivityID    string         `json:"activityId"`
	DisplayName   string         `json:"displayName"`
	Status        ActivityStatus `json:"status"`
	Errors        *int64         `json:"errors"`
	Warnings      *int64         `json:"warnings"`
	People        *EntityCount   `json:"people"`
	Organizations *EntityCount   `json:"organizations"`
	Groups        *EntityCount   `json:"groups"`
	Memberships   *EntityCount   `json:"memberships"`
}

// EntityCount is microsoft.graph.industryData.industryDataRunEntityCountMetric.
type EntityCount struct {
	Active   int64 `json:"active"`
	Inactive int64 `json:"inactive"`
	Total    int64 `json:"total"`
}

// InboundTotals is microsoft.graph.industryData.aggregatedInboundStatistics:
// the active records over all activities, and the problems.
type InboundTotals struct {
	Errors        int64 `json:"errors"`
	Warnings      int64 `json:"warnings"`
	People        int64 `json:"people"`
	Organizations int64 `json:"organizations"`
	Groups        int64 `json:"groups"`
	Memberships   int64 `json:"memberships"`
}

// RunStats is the run's getStatistics; runID "" asks for the tenant's
// latest run's (a 404 *Error when it has none).
func (c *Client) RunStats(ctx context.Context, runID string) (RunStatistics, error) {
	ref := "runs/getStatistics()"
	if runID != "" {
		ref = "runs/" + segment(runID) + "/getStatistics()"
	}
	var s RunStatistics
	_, err := c.getJSON(ctx, ref, "", &s)
	return s, err
}
