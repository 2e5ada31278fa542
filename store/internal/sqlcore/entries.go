package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"industrydata"
	"industrydata/internal/memq"
	"industrydata/schema"
	"industrydata/store/internal/entryblock"
)

// The entries of a user report are stored in blocks of consecutive entries
// (package entryblock), a row per block in report_blocks: a million-user
// report is a few hundred inserts, where a row per entry cost SQLite
// several microseconds each, most of a refresh's time. $filter, $orderby
// and $count run over the decoded entries in Go (package memq), with the
// reference evaluator itself, so they cannot disagree with it.

// maxBlockEntries is the most entries one block holds: a page read decodes
// at most a block or two, and a block is a few hundred KiB.
const maxBlockEntries = 4096

const (
	qInsertBlock = `INSERT INTO report_blocks (report, first_seq, entries, data) VALUES (?, ?, ?, ?)`
	// qLastBlockEntry is the Seq of the last entry stored, 0 for none.
	qLastBlockEntry = `SELECT coalesce(max(first_seq + entries - 1), 0) FROM report_blocks WHERE report = ?`
	qDeleteBlocks   = `DELETE FROM report_blocks WHERE report = ?`
	qCountEntries   = `SELECT coalesce(sum(entries), 0) FROM report_blocks WHERE report = ?`
	// qBlocksFrom reads the blocks from the one holding entry ?2 on, in
	// order; ?2 = 1 reads them all.
	qBlocksFrom = `SELECT first_seq, entries, data FROM report_blocks
	WHERE report = ?1 AND first_seq >= (SELECT coalesce(max(first_seq), 1) FROM report_blocks
		WHERE report = ?1 AND first_seq <= ?2)
	ORDER BY first_seq`
)

// encodedBlock is one block ready for the writer.
type encodedBlock struct {
	first   int64
	entries int
	data    []byte
}

// encodeBlocks returns the blocks that store entries, which must have
// consecutive Seqs. It runs before the write, so that the write only
// inserts.
func encodeBlocks(entries []industrydata.UserReportEntry) ([]encodedBlock, error) {
	for i := range entries {
		if i > 0 && entries[i].Seq != entries[i-1].Seq+1 {
			return nil, fmt.Errorf("entry seqs %d and %d are not consecutive", entries[i-1].Seq, entries[i].Seq)
		}
	}
	var out []encodedBlock
	for len(entries) > 0 {
		n := min(len(entries), maxBlockEntries)
		data, err := entryblock.Encode(entries[:n])
		if err != nil {
			return nil, err
		}
		out = append(out, encodedBlock{first: entries[0].Seq, entries: n, data: data})
		entries = entries[n:]
	}
	return out, nil
}

// AppendReportEntries stores entries after those already stored for c's
// run, while c holds it (else ErrLeaseLost), in one transaction. The
// entries' Seqs must be consecutive and continue the stored ones (the first
// entry is 1); anything else is an error that stores nothing.
func (s *Store) AppendReportEntries(ctx context.Context, c industrydata.JobClaim, entries []industrydata.UserReportEntry) error {
	blocks, err := encodeBlocks(entries)
	if err != nil {
		return s.errorf("append report entries of run %s: %w", c.ID, err)
	}
	err = s.b.Write(ctx, func(tx Tx) error {
		var seq int64
		if err := tx.QueryRow(s.q.heldRunSeq, heldArgs(c)...).Scan(&seq); err != nil {
			return s.leaseLost(err)
		}
		if len(entries) == 0 {
			return nil
		}
		var last int64
		if err := tx.QueryRow(qLastBlockEntry, seq).Scan(&last); err != nil {
			return err
		}
		if first := entries[0].Seq; first != last+1 {
			return fmt.Errorf("entry seq %d does not follow the last stored, %d", first, last)
		}
		for _, b := range blocks {
			if _, err := tx.Exec(qInsertBlock, seq, b.first, b.entries, b.data); err != nil {
				return s.translate(err)
			}
			// Step aside between blocks so that requests need not wait for
			// a preemption slice.
			runtime.Gosched()
		}
		return nil
	})
	if err != nil {
		return s.errorf("append report entries of run %s: %w", c.ID, err)
	}
	return nil
}

// ResetReportEntries deletes the entries stored for c's run while c holds
// it (else ErrLeaseLost).
func (s *Store) ResetReportEntries(ctx context.Context, c industrydata.JobClaim) error {
	err := s.b.Write(ctx, func(tx Tx) error {
		var seq int64
		if err := tx.QueryRow(s.q.heldRunSeq, heldArgs(c)...).Scan(&seq); err != nil {
			return s.leaseLost(err)
		}
		_, err := tx.Exec(qDeleteBlocks, seq)
		return err
	})
	if err != nil {
		return s.errorf("reset report entries of run %s: %w", c.ID, err)
	}
	return nil
}

func entrySeq(e *industrydata.UserReportEntry) int64 { return e.Seq }

// ListReportEntries returns the page of the report's entries q selects, in
// report order (Seq) unless q.OrderBy says otherwise; ErrNotFound when the
// tenant's run has no report. (The report is looked up first, then its
// entries: should the process be deleted in between, the page is empty.)
//
// In report order a page reads the blocks from the cursor's on and stops
// when it is full; sorted by properties, it reads them all and keeps the
// best offset+limit entries.
func (s *Store) ListReportEntries(ctx context.Context, tenant industrydata.TenantID, runID string, q industrydata.ListQuery) ([]industrydata.UserReportEntry, error) {
	report, err := s.reportSeq(ctx, tenant, runID)
	if err != nil {
		return nil, err
	}
	plan, err := memq.Compile(schema.UserReportEntry, q, entrySeq)
	if err != nil {
		return nil, s.errorf("list entries of run %s: %w", runID, err)
	}
	from := int64(1)
	if a := plan.After(); a != nil && !plan.Sorted() {
		from = a.Seq + 1
	}
	// A sorted page keeps entries from many blocks: copying their strings
	// lets each block go as soon as it is read.
	plan.Retain = cloneEntry
	page := plan.NewPage()
	err = s.eachEntry(ctx, report, from, page.Add)
	if err != nil {
		return nil, s.errorf("list entries of run %s: %w", runID, err)
	}
	return page.Items(), nil
}

// CountReportEntries counts the report's entries matching q.Filter;
// ErrNotFound when the tenant's run has no report.
func (s *Store) CountReportEntries(ctx context.Context, tenant industrydata.TenantID, runID string, q industrydata.ListQuery) (int64, error) {
	report, err := s.reportSeq(ctx, tenant, runID)
	if err != nil {
		return 0, err
	}
	q = industrydata.ListQuery{Filter: q.Filter}
	plan, err := memq.Compile(schema.UserReportEntry, q, entrySeq)
	if err != nil {
		return 0, s.errorf("count entries of run %s: %w", runID, err)
	}
	if q.Filter == nil {
		var n int64
		if err := s.b.QueryRow(ctx, qCountEntries, report).Scan(&n); err != nil {
			return 0, s.errorf("count entries of run %s: %w", runID, err)
		}
		return n, nil
	}
	count := plan.NewCount()
	err = s.eachEntry(ctx, report, 1, func(e *industrydata.UserReportEntry) bool {
		count.Add(e)
		return false
	})
	if err != nil {
		return 0, s.errorf("count entries of run %s: %w", runID, err)
	}
	return count.N(), nil
}

// eachEntry calls fn with each entry of the report from Seq from on, in
// order, until fn returns true. The entry is only good until fn returns,
// and its strings keep their block alive (see cloneEntry).
func (s *Store) eachEntry(ctx context.Context, report, from int64, fn func(*industrydata.UserReportEntry) bool) error {
	var e industrydata.UserReportEntry
	err := s.b.Each(ctx, qBlocksFrom, []any{report, from}, func(row Scanner) error {
		var (
			first int64
			count int
			data  []byte
		)
		if err := row.Scan(&first, &count, s.d.RawBytes(&data)); err != nil {
			return err
		}
		r, err := entryblock.Open(data, first, count)
		if err != nil {
			return fmt.Errorf("block at entry %d: %w", first, err)
		}
		for r.Next() < from && r.Len() > 0 {
			if _, err := r.Skip(); err != nil {
				return fmt.Errorf("block at entry %d: %w", first, err)
			}
		}
		for {
			ok, err := r.Read(&e)
			if err != nil {
				return fmt.Errorf("block at entry %d: %w", first, err)
			}
			if !ok {
				break
			}
			if fn(&e) {
				return errStop
			}
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// cloneEntry copies e's strings out of the block they were read from.
func cloneEntry(e *industrydata.UserReportEntry) {
	e.SourcedID = strings.Clone(e.SourcedID)
	e.Username = strings.Clone(e.Username)
	e.Role = strings.Clone(e.Role)
	e.FlowID = strings.Clone(e.FlowID)
	if e.OrgSourcedIDs != nil {
		orgs := make([]string, len(e.OrgSourcedIDs))
		for i, o := range e.OrgSourcedIDs {
			orgs[i] = strings.Clone(o)
		}
		e.OrgSourcedIDs = orgs
	}
	if e.Issues != nil {
		e.Issues = append([]industrydata.UserReportIssue(nil), e.Issues...)
	}
}
