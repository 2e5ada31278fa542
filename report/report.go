// Package report builds a tenant's user report (SPEC §10) from its roster:
// the current data of each of its inbound flows (SPEC §12), each with its
// own orgs.csv and users.csv, in memory bounded whatever the number of
// users.
//
// Each flow's orgs.csv is read whole into a map (a district has thousands
// of orgs, not millions). Each users.csv is read twice, streaming, through
// a function that opens it anew, because an entry is handed on before a
// later user with the same username, in the same flow or another, can have
// been seen:
//
//  1. The first pass checks every flow's users.csv and counts usernames,
//     trimmed and lower-cased, over all flows at once. It keeps two sets of
//     64-bit hashes (hash/maphash, random seed per build, in a
//     roster.HashSet): the usernames seen, and those seen twice or more;
//     then it drops the first. At a million users the first takes about 11
//     MB, like the reader's duplicate-sourcedId set, where a map of the
//     usernames themselves would take 100 MB or more. Two different
//     usernames sharing a hash would both be flagged duplicateUsername: for
//     a million users the odds of any such pair are about 3 in 100 million.
//  2. The second pass builds each user's entry, flow after flow, hands it to
//     the Sink at once and counts the summary. It knows the total from pass
//     1, for progress.
//
// A sourcedId is unique within its flow's file only: two flows may list the
// same user, and both are reported, each with its flow.
//
// The rules, in the order an entry lists its issues: missingUsername (empty
// after trimming); duplicateUsername (another user, of any flow, has the
// same username, ignoring case and surrounding spaces; every one of them is
// flagged); missingEmail (a teacher or an administrator with an empty
// email); invalidEmail (an email that net/mail does not give back exactly,
// with no display name, once trimmed); unknownOrg (an orgSourcedId that is
// not the sourcedId of an org of the user's own flow's orgs.csv, whatever
// that org's status); noOrg (no orgSourcedIds); unknownRole (not a
// OneRoster v1.1 role; roles match ignoring case, and a known role is
// reported as OneRoster spells it).
//
// The summary counts over all flows. It counts users by role value, unknown
// ones under their own value, up to 1000 distinct values of at most 64
// bytes; the others are counted together as "(other)". It counts users by
// org for every org of every flow's orgs.csv, zero counts included, in the
// flows' order then each file's; an org several flows list is one row, with
// the first flow's name, counting the users of every flow whose orgs.csv
// lists it. A user listing an org twice counts once there, and orgs its
// flow's orgs.csv lacks are not counted.
//
// A report is built from valid rosters (a flow's files are validated when
// it imports them), so the first error of any file ends the build.
package report

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"

	"industrydata"
	"industrydata/roster"
)

// Sink receives the entries of a report, one at a time: the flows in the
// order Build is given them, each in users.csv order. An entry's slices are
// its own: a sink may keep them.
type Sink interface {
	Write(entry industrydata.UserReportEntry) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(industrydata.UserReportEntry) error

// Write calls f.
func (f SinkFunc) Write(e industrydata.UserReportEntry) error { return f(e) }

// Discard is a Sink that drops every entry.
var Discard Sink = SinkFunc(func(industrydata.UserReportEntry) error { return nil })

// Source is one inbound flow's roster: its current data's orgs.csv and
// users.csv.
type Source struct {
	// FlowID is the flow's id, given to each of its users' entries.
	FlowID string
	// OpenOrgs opens orgs.csv; it is read once.
	OpenOrgs func() (io.ReadCloser, error)
	// OpenUsers opens users.csv, once for each pass: it must give the
	// same bytes every time (pass 2 trusts the checks of pass 1; Build
	// fails if the user counts differ).
	OpenUsers func() (io.ReadCloser, error)
}

// Progress says how far a build has got.
type Progress struct {
	// Pass is 1 while the users.csv files are being counted and 2 while
	// their users are being checked.
	Pass int
	// Done is the number of users read so far in this pass, over all flows.
	Done int
	// Total is the number of users of all flows: 0 (unknown) in pass 1.
	Total int
}

// DefaultProgressEvery is how many users a build reads between two calls
// of Builder.Progress.
const DefaultProgressEvery = 10_000

// checkEvery is how many users a build reads between two looks at ctx.
const checkEvery = 1024

// Builder builds user reports. The zero value is ready to use.
type Builder struct {
	// Progress, when set, is called at the start of each pass, every
	// ProgressEvery users, and at the end of each pass, so that a runner
	// can say "checked 120000 of 500000 users".
	Progress func(Progress)
	// ProgressEvery defaults to DefaultProgressEvery.
	ProgressEvery int
	// MaxUsers and MaxOrgs bound each flow's files; 0 means roster's
	// defaults.
	MaxUsers, MaxOrgs int
}

// Build builds a report with a zero Builder.
func Build(ctx context.Context, sources []Source, sink Sink) (industrydata.UserReportSummary, error) {
	var b Builder
	return b.Build(ctx, sources, sink)
}

// Build reads each source's orgs.csv, then every users.csv twice (see the
// package doc), hands each user's entry to sink, numbered from 1 across the
// flows in the order given, and returns the summary. With no source the
// report is empty.
//
// Build stops at the first error, which names the flow: a *roster.Problem
// in a file, a failure to open or read one, sink's error, or ctx's. The
// entries written before an error make no complete report: the caller
// discards them.
func (b *Builder) Build(ctx context.Context, sources []Source, sink Sink) (industrydata.UserReportSummary, error) {
	orgs, err := b.readOrgs(ctx, sources)
	if err != nil {
		return industrydata.UserReportSummary{}, err
	}
	seed := maphash.MakeSeed()
	dups, counts, err := b.countUsernames(ctx, sources, seed)
	if err != nil {
		return industrydata.UserReportSummary{}, err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	c := newChecker(orgs.orgs, dups, seed)
	p := b.newPass(2, total)
	opts := roster.Options{Checked: true, MaxWarnings: -1}
	for i, src := range sources {
		c.flowID, c.byID = src.FlowID, orgs.byFlow[i]
		before := c.sum.TotalUsers
		err := b.eachUser(ctx, src.OpenUsers, p, opts, func(ur *roster.UserReader) error {
			u, err := ur.Next()
			if err != nil {
				return err
			}
			if err := sink.Write(c.check(&u)); err != nil {
				return fmt.Errorf("write the entry of users.csv line %d: %w", u.Line, err)
			}
			return nil
		})
		if err == nil && c.sum.TotalUsers-before != counts[i] {
			err = errors.New("users.csv changed while its report was being built")
		}
		if err != nil {
			return industrydata.UserReportSummary{}, flowError(src, err)
		}
	}
	p.end()
	return c.summary(), nil
}

// flowError says which flow's files err is about; errors.Is and errors.As
// see through it.
func flowError(src Source, err error) error {
	return fmt.Errorf("flow %s: %w", src.FlowID, err)
}

// readOrgs reads every flow's orgs.csv into memory.
func (b *Builder) readOrgs(ctx context.Context, sources []Source) (*orgIndex, error) {
	idx := &orgIndex{byFlow: make([]map[string]int, len(sources))}
	rows := make(map[string]int) // the row of usersByOrg of each org seen
	for i, src := range sources {
		byID, err := b.readFlowOrgs(ctx, src.OpenOrgs, idx, rows)
		if err != nil {
			return nil, flowError(src, err)
		}
		idx.byFlow[i] = byID
	}
	return idx, nil
}

// readFlowOrgs reads one flow's orgs.csv: each org gets the row of
// usersByOrg an earlier flow gave its sourcedId, or a new one.
func (b *Builder) readFlowOrgs(ctx context.Context, open func() (io.ReadCloser, error), idx *orgIndex, rows map[string]int) (_ map[string]int, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := open()
	if err != nil {
		return nil, fmt.Errorf("open orgs.csv: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close orgs.csv: %w", cerr)
		}
	}()
	or := roster.NewOrgReader(f, roster.Options{MaxRows: b.MaxOrgs, MaxWarnings: -1})
	byID := make(map[string]int)
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		o, err := or.Next()
		if err == io.EOF {
			return byID, nil
		}
		if err != nil {
			return nil, err
		}
		row, ok := rows[o.SourcedID]
		if !ok {
			row = len(idx.orgs)
			rows[o.SourcedID] = row
			idx.orgs = append(idx.orgs, industrydata.OrgCount{OrgSourcedID: o.SourcedID, OrgName: o.Name})
		}
		byID[o.SourcedID] = row
	}
}

// countUsernames is pass 1: it returns the hashes of the usernames that
// more than one user of all flows has, and the number of users of each
// flow.
func (b *Builder) countUsernames(ctx context.Context, sources []Source, seed maphash.Seed) (*roster.HashSet, []int, error) {
	var seen roster.HashSet
	dups := new(roster.HashSet)
	// The hashes go into the set a batch at a time: a tight loop of
	// independent inserts overlaps their cache misses, which, one per row
	// between the parsing of two rows, cost more than the rest of this pass
	// at a million users.
	pending := make([]uint64, 0, 512)
	flush := func() {
		for _, h := range pending {
			if !seen.Add(h) {
				dups.Add(h)
			}
		}
		pending = pending[:0]
	}
	var buf []byte
	counts := make([]int, len(sources))
	total := 0
	p := b.newPass(1, 0)
	for i, src := range sources {
		reserved := false
		err := b.eachUser(ctx, src.OpenUsers, p, roster.Options{MaxWarnings: -1}, func(ur *roster.UserReader) error {
			name, err := ur.NextUsername()
			if err != nil {
				return err
			}
			if !reserved { // after the first row, for the reader's best guess
				seen.Reserve(total + ur.EstimatedRows())
				reserved = true
			}
			total++
			counts[i]++
			if h, ok := UsernameKey(seed, &buf, name); ok {
				if pending = append(pending, h); len(pending) == cap(pending) {
					flush()
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, flowError(src, err)
		}
	}
	flush()
	p.end()
	return dups, counts, nil
}

// pass reports the progress of one pass over the users of all flows.
type pass struct {
	b                 *Builder
	pass, done, total int
	every             int
}

// newPass starts pass n, reporting it.
func (b *Builder) newPass(n, total int) *pass {
	p := &pass{b: b, pass: n, total: total, every: b.ProgressEvery}
	if p.every <= 0 {
		p.every = DefaultProgressEvery
	}
	p.report()
	return p
}

// step counts one user, reporting every p.every.
func (p *pass) step() {
	if p.done++; p.done%p.every == 0 {
		p.report()
	}
}

// end reports the end of the pass, unless step just did.
func (p *pass) end() {
	if p.done%p.every != 0 {
		p.report()
	}
}

func (p *pass) report() {
	if p.b.Progress != nil {
		p.b.Progress(Progress{Pass: p.pass, Done: p.done, Total: p.total})
	}
}

// eachUser opens one flow's users.csv and calls step until it returns
// io.EOF (the end) or another error, counting progress in p and watching
// ctx. step reads one user from the reader it is given.
func (b *Builder) eachUser(ctx context.Context, openUsers func() (io.ReadCloser, error), p *pass, opts roster.Options, step func(*roster.UserReader) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := openUsers()
	if err != nil {
		return fmt.Errorf("open users.csv: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close users.csv: %w", cerr)
		}
	}()
	opts.MaxRows = b.MaxUsers
	ur := roster.NewUserReader(f, opts)
	for n := 1; ; n++ {
		if err := step(ur); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		p.step()
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
}
