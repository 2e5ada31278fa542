package service

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"industrydata"
)

// Codes of a skipped activity's blockingError: why the run did not import
// the flow (SPEC §12).
const (
	// SkipNotReady: the flow's data connector has no validated files.
	SkipNotReady = "flowNotReady"
	// SkipNotYetEffective: the flow's window opens after the run started.
	SkipNotYetEffective = "flowNotYetEffective"
	// SkipExpired: the flow's window closed before the run started.
	SkipExpired = "flowExpired"
)

// planActivities is what a run started at now does with each of the
// tenant's inbound flows, in their order (SPEC §12): a flow that is ready
// and whose window is open (effectiveDateTime ≤ now < expirationDateTime,
// when set) is imported, an activity in progress until the runner gets to
// it; any other is a skipped activity whose blockingError says why. flows
// carry their derived readinessStatus.
func planActivities(flows []industrydata.InboundFlow, now time.Time) []industrydata.RunActivity {
	out := make([]industrydata.RunActivity, 0, len(flows))
	for _, f := range flows {
		a := industrydata.RunActivity{ID: uuid.NewString(), FlowID: f.ID, DisplayName: f.DisplayName,
			Status: industrydata.ActivityInProgress}
		if why := skipReason(&f, now); why != nil {
			a.Status, a.BlockingError = industrydata.ActivitySkipped, why
		}
		out = append(out, a)
	}
	return out
}

// skipReason is why flow f is not imported by a run started at now, or
// nil when it is.
func skipReason(f *industrydata.InboundFlow, now time.Time) *industrydata.PublicError {
	const layout = time.RFC3339
	switch {
	case f.ExpirationDateTime != nil && !now.Before(*f.ExpirationDateTime):
		return &industrydata.PublicError{Code: SkipExpired, Target: f.ID, Message: fmt.Sprintf(
			"The inbound flow '%s' expired at %s (its expirationDateTime), so runs no longer import it.",
			clip(f.DisplayName), f.ExpirationDateTime.UTC().Format(layout))}
	case now.Before(f.EffectiveDateTime):
		return &industrydata.PublicError{Code: SkipNotYetEffective, Target: f.ID, Message: fmt.Sprintf(
			"The inbound flow '%s' is imported from %s (its effectiveDateTime) on; the run started before.",
			clip(f.DisplayName), f.EffectiveDateTime.UTC().Format(layout))}
	case f.ReadinessStatus != industrydata.ReadinessReady:
		return &industrydata.PublicError{Code: SkipNotReady, Target: f.ID, Message: fmt.Sprintf(
			"The inbound flow '%s' is not ready: its data connector has no validated files. "+
				"Upload the files to the connector's upload session, validate them, then start a run.",
			clip(f.DisplayName))}
	}
	return nil
}
