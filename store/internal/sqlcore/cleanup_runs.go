package sqlcore

import (
	"industrydata"
)

// The runs the retention lets go (industrydata.CleanupRuns): those that
// ended before ?1, and, when ?2 > 0, those among the newest ?2 neither of
// their process nor of any flow they imported, newest by start as the API
// lists them. Never a run in progress, the run whose import made a flow's
// current data (flow_data, flow_files), or the newest run with a report
// of each process, or a run a pin holds past ?3 (industrydata.ReportPinStore):
// a download that reads a report page after page pins its run, so that no
// report goes under its download. The ranks are computed over every run in
// each batch: runs are few beside operations and audit records.
const (
	runsRanked = `WITH ranked AS (
		SELECT seq, row_number() OVER (PARTITION BY tenant, process_id ORDER BY start_ticks DESC, seq DESC) AS n FROM runs),
	flow_ranked AS (
		SELECT a.run, row_number() OVER (PARTITION BY r.tenant, a.flow_id ORDER BY r.start_ticks DESC, r.seq DESC) AS n
		FROM run_activities a JOIN runs r ON r.seq = a.run)
	`
	runsSweepable = `SELECT r.seq, (SELECT coalesce(sum(octet_length(b.data)), 0) FROM report_blocks b WHERE b.report = r.seq) AS bytes
	FROM runs r JOIN ranked k ON k.seq = r.seq
	WHERE r.status <> 'running'
	AND (coalesce(r.end_ticks, r.start_ticks) < ?1
		OR ?2 > 0 AND (r.process_id = '' OR k.n > ?2)
			AND NOT EXISTS (SELECT 1 FROM flow_ranked f WHERE f.run = r.seq AND f.n <= ?2))
	AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.tenant = r.tenant AND j.kind = 'run' AND j.id = r.id)
	AND NOT EXISTS (SELECT 1 FROM flow_data d WHERE d.tenant = r.tenant AND d.run_id = r.id)
	AND NOT EXISTS (SELECT 1 FROM flow_files f WHERE f.run = r.seq)
	AND NOT EXISTS (SELECT 1 FROM user_reports u WHERE u.report = r.seq
		AND u.report = (SELECT max(o.report) FROM user_reports o WHERE o.tenant = u.tenant AND o.process_id = u.process_id))
	AND NOT EXISTS (SELECT 1 FROM report_pins p WHERE p.run = r.seq AND p.expires_ticks > ?3)`
	qCountRuns = runsRanked + `SELECT count(*), coalesce(sum(bytes), 0) FROM (` + runsSweepable + `) x`
	qSweepRuns = runsRanked + runsSweepable + ` ORDER BY r.start_ticks, r.seq LIMIT ?4`
	// A run goes with its report and its entries; its activities cascade.
	// Its operation stays, an entity of its own with its own retention.
	qDropRunBlocks = `DELETE FROM report_blocks WHERE report = ?`
	qDropRunReport = `DELETE FROM user_reports WHERE report = ?`
	qDropRun       = `DELETE FROM runs WHERE seq = ?`
	// The pins expired at the cleanup's now, which their downloads, gone
	// without unpinning, left.
	qDropExpiredPins = `DELETE FROM report_pins WHERE expires_ticks <= ?`
)

// sweepRuns deletes a batch of the runs cutoff lets go.
func sweepRuns(tx Tx, cutoff industrydata.Cutoff, limit int, out *industrydata.Swept) error {
	type run struct{ seq, bytes int64 }
	var batch []run
	now := industrydata.Ticks(cutoff.Now)
	if _, err := tx.Exec(qDropExpiredPins, now); err != nil {
		return err
	}
	err := tx.Each(qSweepRuns, []any{industrydata.Ticks(cutoff.Before), int64(cutoff.Keep), now, limit}, func(r Scanner) error {
		var x run
		err := r.Scan(&x.seq, &x.bytes)
		batch = append(batch, x)
		return err
	})
	if err != nil {
		return err
	}
	for _, r := range batch {
		for _, q := range []string{qDropRunBlocks, qDropRunReport, qDropRun} {
			if _, err := tx.Exec(q, r.seq); err != nil {
				return err
			}
		}
		out.Add(industrydata.Swept{Rows: 1, Bytes: r.bytes})
	}
	return nil
}
