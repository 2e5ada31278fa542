// Package report builds a tenant's user report (SPEC §10) from its roster,
// orgs.csv and users.csv, in memory bounded whatever the number of users.
//
// orgs.csv is read whole into a map (a district has thousands of orgs, not
// millions). users.csv is read twice, streaming, through a function that
// opens it anew, because an entry is handed on before a later user with the
// same username can have been seen:
//
//  1. The first pass checks the file and counts usernames, trimmed and
//     lower-cased. It keeps two sets of 64-bit hashes (hash/maphash, random
//     seed per build, in a roster.HashSet): the usernames seen, and those
//     seen twice or more; then it drops the first. At a million users the
//     first takes about 11 MB, like the reader's duplicate-sourcedId set,
//     where a map of the usernames themselves would take 100 MB or more. Two
//     different usernames sharing a hash would both be flagged
//     duplicateUsername: for a million users the odds of any such pair are
//     about 3 in 100 million.
//  2. The second pass builds each user's entry, hands it to the Sink at once
//     and counts the summary. It knows the total from pass 1, for progress.
//
// The rules, in the order an entry lists its issues: missingUsername (empty
// after trimming); duplicateUsername (another user has the same username,
// ignoring case and surrounding spaces; every one of them is flagged);
// missingEmail (a teacher or an administrator with an empty email);
// invalidEmail (an email that net/mail does not give back exactly, with no
// display name, once trimmed); unknownOrg (an orgSourcedId that is not the
// sourcedId of an org of orgs.csv, whatever that org's status); noOrg (no
// orgSourcedIds); unknownRole (not a OneRoster v1.1 role; roles match
// ignoring case, and a known role is reported as OneRoster spells it).
//
// The summary counts users by role value, unknown ones under their own
// value, up to 1000 distinct values of at most 64 bytes; the others are
// counted together as "(other)". It counts users by org for every org of
// orgs.csv, zero counts included; a user listing an org twice counts once
// there, and orgs that orgs.csv lacks are not counted.
//
// A report is built from a valid roster (package roster's errors are
// reported when a roster is uploaded), so the first error of either file
// ends the build.
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

// Sink receives the entries of a report, one at a time, in users.csv order.
// An entry's slices are its own: a sink may keep them.
type Sink interface {
	Write(entry industrydata.UserReportEntry) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(industrydata.UserReportEntry) error

// Write calls f.
func (f SinkFunc) Write(e industrydata.UserReportEntry) error { return f(e) }

// Discard is a Sink that drops every entry.
var Discard Sink = SinkFunc(func(industrydata.UserReportEntry) error { return nil })

// Progress says how far a build has got.
type Progress struct {
	// Pass is 1 while users.csv is being counted and 2 while its users are
	// being checked.
	Pass int
	// Done is the number of users read so far in this pass.
	Done int
	// Total is the number of users in users.csv: 0 (unknown) in pass 1.
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
	// MaxUsers and MaxOrgs bound the files; 0 means roster's defaults.
	MaxUsers, MaxOrgs int
}

// Build builds a report with a zero Builder.
func Build(ctx context.Context, orgs io.Reader, openUsers func() (io.ReadCloser, error), sink Sink) (industrydata.UserReportSummary, error) {
	var b Builder
	return b.Build(ctx, orgs, openUsers, sink)
}

// Build reads orgs.csv from orgs, then users.csv twice through openUsers
// (which opens it anew for each pass), hands each user's entry to sink, and
// returns the summary. openUsers must give the same bytes every time (pass
// 2 trusts the checks of pass 1; Build fails if the user counts differ).
//
// Build stops at the first error: a *roster.Problem in either file, a
// failure to read, sink's error, or ctx's. The entries written before an
// error make no complete report: the caller discards them.
func (b *Builder) Build(ctx context.Context, orgs io.Reader, openUsers func() (io.ReadCloser, error), sink Sink) (industrydata.UserReportSummary, error) {
	known, err := b.readOrgs(ctx, orgs)
	if err != nil {
		return industrydata.UserReportSummary{}, err
	}
	seed := maphash.MakeSeed()
	dups, total, err := b.countUsernames(ctx, openUsers, seed)
	if err != nil {
		return industrydata.UserReportSummary{}, err
	}
	c := newChecker(known, dups, seed)
	err = b.eachUser(ctx, openUsers, 2, total, roster.Options{Checked: true, MaxWarnings: -1},
		func(ur *roster.UserReader) error {
			u, err := ur.Next()
			if err != nil {
				return err
			}
			if err := sink.Write(c.check(&u)); err != nil {
				return fmt.Errorf("write the entry of users.csv line %d: %w", u.Line, err)
			}
			return nil
		})
	if err != nil {
		return industrydata.UserReportSummary{}, err
	}
	if c.sum.TotalUsers != total {
		return industrydata.UserReportSummary{}, errors.New("users.csv changed while its report was being built")
	}
	return c.summary(), nil
}

// readOrgs reads orgs.csv into memory.
func (b *Builder) readOrgs(ctx context.Context, r io.Reader) (*orgIndex, error) {
	or := roster.NewOrgReader(r, roster.Options{MaxRows: b.MaxOrgs, MaxWarnings: -1})
	idx := &orgIndex{byID: make(map[string]int)}
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		o, err := or.Next()
		if err == io.EOF {
			return idx, nil
		}
		if err != nil {
			return nil, err
		}
		idx.byID[o.SourcedID] = len(idx.orgs)
		idx.orgs = append(idx.orgs, industrydata.OrgCount{OrgSourcedID: o.SourcedID, OrgName: o.Name})
	}
}

// countUsernames is pass 1: it returns the hashes of the usernames that
// more than one user has, and the number of users.
func (b *Builder) countUsernames(ctx context.Context, openUsers func() (io.ReadCloser, error), seed maphash.Seed) (*roster.HashSet, int, error) {
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
	total := 0
	reserved := false
	err := b.eachUser(ctx, openUsers, 1, 0, roster.Options{MaxWarnings: -1}, func(ur *roster.UserReader) error {
		name, err := ur.NextUsername()
		if err != nil {
			return err
		}
		if !reserved { // after the first row, for the reader's best guess
			seen.Reserve(ur.EstimatedRows())
			reserved = true
		}
		total++
		if h, ok := UsernameKey(seed, &buf, name); ok {
			if pending = append(pending, h); len(pending) == cap(pending) {
				flush()
			}
		}
		return nil
	})
	flush()
	return dups, total, err
}

// eachUser opens users.csv and calls step until it returns io.EOF (the end)
// or another error, reporting progress and watching ctx. step reads one
// user from the reader it is given.
func (b *Builder) eachUser(ctx context.Context, openUsers func() (io.ReadCloser, error), pass, total int, opts roster.Options, step func(*roster.UserReader) error) (err error) {
	f, err := openUsers()
	if err != nil {
		return fmt.Errorf("open users.csv: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close users.csv: %w", cerr)
		}
	}()
	every := b.ProgressEvery
	if every <= 0 {
		every = DefaultProgressEvery
	}
	opts.MaxRows = b.MaxUsers
	ur := roster.NewUserReader(f, opts)
	b.progress(Progress{Pass: pass, Total: total})
	for n := 0; ; {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := step(ur); err == io.EOF {
			if n%every != 0 {
				b.progress(Progress{Pass: pass, Done: n, Total: total})
			}
			return nil
		} else if err != nil {
			return err
		}
		if n++; n%every == 0 {
			b.progress(Progress{Pass: pass, Done: n, Total: total})
		}
	}
}

func (b *Builder) progress(p Progress) {
	if b.Progress != nil {
		b.Progress(p)
	}
}
