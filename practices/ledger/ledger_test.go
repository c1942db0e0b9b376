package ledger

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-git/go-git/v5"

	"github.com/sdlkit/sdlkit/practices"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func catalog(t testing.TB) *practices.Catalog {
	t.Helper()
	c, err := practices.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newTestLedger creates a ledger in a new bare repository.
func newTestLedger(t testing.TB) *Ledger {
	t.Helper()
	loc := Location{Repo: filepath.Join(t.TempDir(), "ledger.git")}
	scope := &Scope{Format: ScopeFormat, OutOfScope: []Exclusion{{Requirement: "SG-6", Rationale: "no patches are delivered to integrators"}}}
	l, err := Init(context.Background(), loc, catalog(t), InitOptions{Product: "app", Scope: scope, Actor: "Ada <ada@example.com>", Time: t0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// clock returns a Now that ticks one minute a call from t0.
func clock() func() time.Time {
	n := 0
	return func() time.Time { n++; return t0.Add(time.Duration(n) * time.Minute) }
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAppendStatusVerify(t *testing.T) {
	ctx := context.Background()
	l := newTestLedger(t)
	dir := t.TempDir()
	sbom := writeFile(t, dir, "app.cdx.json", `{"bomFormat":"CycloneDX"}`)
	w := &Writer{Ledger: l, Now: clock()}
	recs, err := w.Append(ctx, []Entry{
		{Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SM-7"}, Kind: "sbom", Summary: "SBOM"}, Files: []string{sbom}},
		{Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SM-7"}, Kind: "sbom", Summary: "SBOM again"}, Files: []string{sbom}},
		{Record: Record{Actor: "Bob <bob@example.com>", Requirements: []string{"SR-2"}, Kind: "review", Review: &Decision{Status: "approved", Note: "ok"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0].Evidence[0].MediaType != "application/vnd.cyclonedx+json" || recs[0].Product != "app" {
		t.Fatalf("records: %+v", recs)
	}
	got, err := l.Record(ctx, recs[2].ID[:6])
	if err != nil || got.Review.Status != "approved" {
		t.Fatalf("Record: %+v, %v", got, err)
	}
	st, err := l.Status(ctx, StatusOptions{Now: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if st.Version != "1.0.0" || st.Records != 4 || st.InScope != 46 || st.Covered != 3 {
		t.Fatalf("status: version %q records %d in scope %d covered %d", st.Version, st.Records, st.InScope, st.Covered)
	}
	rep, err := l.Verify(ctx, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Init records the SM-5 scope; the same SBOM recorded twice is stored once.
	if !rep.OK() || rep.Records != 4 || rep.EvidenceFiles != 2 || rep.Commits != 5 {
		t.Fatalf("verify: %+v", rep)
	}
	// The ledger is a git repository git tools read.
	r, err := git.PlainOpen(l.loc.Repo)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Reference("refs/heads/"+DefaultBranch, true)
	if err != nil || ref.Hash().String() != rep.Head {
		t.Fatalf("ref: %v %v", ref, err)
	}
}

func TestAppendRefusesUnknownRequirement(t *testing.T) {
	l := newTestLedger(t)
	head, _ := l.Head()
	w := &Writer{Ledger: l}
	_, err := w.Append(context.Background(), []Entry{
		{Record: Record{Actor: "ci", Requirements: []string{"SM-7"}, Kind: "sbom"}},
		{Record: Record{Actor: "ci", Requirements: []string{"XX-1"}, Kind: "sbom"}},
	})
	if !errors.Is(err, ErrInvalidRecord) || !strings.Contains(err.Error(), `"XX-1"`) {
		t.Fatalf("err = %v", err)
	}
	if h, _ := l.Head(); h != head {
		t.Fatal("a refused batch moved the branch")
	}
}

func TestOpenErrors(t *testing.T) {
	c := catalog(t)
	dir := t.TempDir()
	if _, err := git.PlainInit(dir, false); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Location{Dir: dir}, c); !errors.Is(err, ErrNoLedger) {
		t.Fatalf("no branch: %v", err)
	}
	l := newTestLedger(t)
	if _, err := Init(context.Background(), l.loc, c, InitOptions{Product: "x"}, nil); !errors.Is(err, ErrExists) {
		t.Fatalf("init twice: %v", err)
	}
}

// TestVerifyResumes checks the verification cache: a second verification
// resumes from the first and counts the same; new records are verified
// and counted; a branch reset to an older commit falls back to a full
// verification; and a different key never resumes.
func TestVerifyResumes(t *testing.T) {
	ctx := context.Background()
	l := newTestLedger(t)
	dir := t.TempDir()
	w := &Writer{Ledger: l, Now: clock()}
	add := func(n int) {
		for i := 0; i < n; i++ {
			f := writeFile(t, dir, "r.txt", strings.Repeat("x", i+1)+t.Name())
			if _, err := w.Append(ctx, []Entry{{Record: Record{Actor: "ci", Version: "1", Requirements: []string{"SVV-1"}, Kind: "test-report"}, Files: []string{f}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	verify := func(key string) *Report {
		t.Helper()
		rep, err := l.Verify(ctx, VerifyOptions{CacheKey: key})
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %+v, %v", rep, err)
		}
		return rep
	}
	add(3)
	full := verify("k")
	again := verify("k")
	if full.Resumed != "" || again.Resumed != full.Head || again.Records != full.Records || again.Commits != full.Commits || again.EvidenceFiles != full.EvidenceFiles {
		t.Fatalf("resume: full %+v, again %+v", full, again)
	}
	add(2)
	more := verify("k")
	if more.Resumed != full.Head || more.Records != full.Records+2 || more.Commits != full.Commits+2 {
		t.Fatalf("after 2 records: %+v (before %+v)", more, full)
	}
	if other := verify("other"); other.Resumed != "" || other.Records != more.Records {
		t.Fatalf("another key resumed: %+v", other)
	}
	// Reset the branch to an older commit: the cached head is no longer on
	// the history, and the verification starts over.
	unlock, err := l.lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := l.Head()
	c, _ := l.commit(head)
	if err := l.updateRef(head, c.ParentHashes[0]); err != nil {
		t.Fatal(err)
	}
	unlock()
	if reset := verify("k"); reset.Resumed != "" || reset.Records != more.Records-1 {
		t.Fatalf("after a reset: %+v", reset)
	}
}

// With a CacheSecret, a cache file written by anyone without the secret
// is not used: one forged in the git directory to name a head as verified
// (here: the cache of a verification without the secret, in its place)
// makes the next verification start over, while the cache the secret made
// is resumed from.
func TestVerifyCacheAuthenticated(t *testing.T) {
	ctx := context.Background()
	l := newTestLedger(t)
	w := &Writer{Ledger: l, Now: clock()}
	if _, err := w.Append(ctx, []Entry{{Record: Record{Actor: "ci", Version: "1", Requirements: []string{"SVV-1"}, Kind: "test-report"},
		Blobs: []Blob{{Name: "r.txt", Data: []byte("x")}}}}); err != nil {
		t.Fatal(err)
	}
	secret := bytes.Repeat([]byte{7}, 32)
	keyed := VerifyOptions{CacheKey: "k", CacheSecret: secret}
	verify := func(opts VerifyOptions) *Report {
		t.Helper()
		rep, err := l.Verify(ctx, opts)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %+v, %v", rep, err)
		}
		return rep
	}
	verify(keyed)
	if again := verify(keyed); again.Resumed == "" {
		t.Fatalf("the cache made with the secret was not used: %+v", again)
	}
	// A cache made without the secret (what anyone who can write the git
	// directory can make) in the keyed cache's place.
	verify(VerifyOptions{CacheKey: "k"})
	if forged := verify(keyed); forged.Resumed != "" {
		t.Fatalf("a cache made without the secret was resumed from: %+v", forged)
	}
	if other := verify(VerifyOptions{CacheKey: "k", CacheSecret: bytes.Repeat([]byte{8}, 32)}); other.Resumed != "" {
		t.Fatalf("a cache made with another secret was resumed from: %+v", other)
	}
}

func TestStatusCountsPending(t *testing.T) {
	ctx := context.Background()
	l := newTestLedger(t)
	pending := []Summary{{ID: "pending-1", Time: t0, Product: "app", Version: "2.0.0", Kind: "vuln-scan", Requirements: []string{"SVV-3", "DM-4"}}}
	st, err := l.Status(ctx, StatusOptions{Version: "2.0.0", Now: t0.Add(time.Hour), Pending: pending})
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, p := range st.Practices {
		for _, r := range p.Requirements {
			covered[r.ID] = r.Covered
		}
	}
	if !covered["SVV-3"] || !covered["DM-4"] || covered["SM-7"] || st.Records != 2 {
		t.Errorf("with a pending scan: SVV-3 %v DM-4 %v SM-7 %v, records %d", covered["SVV-3"], covered["DM-4"], covered["SM-7"], st.Records)
	}
	again, err := l.Status(ctx, StatusOptions{Version: "2.0.0", Now: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if again.Records != 1 || again.Covered >= st.Covered {
		t.Errorf("pending records stayed: %d records, %d covered (with pending %d)", again.Records, again.Covered, st.Covered)
	}
}

func TestPlannedStatusMatchesANewLedger(t *testing.T) {
	ctx := context.Background()
	c := catalog(t)
	pending := []Summary{{ID: "p", Time: t0, Product: "app", Version: "1.0.0", Kind: "sbom", Requirements: []string{"SM-9", "SVV-3", "SUM-3"}}}
	opts := StatusOptions{Version: "1.0.0", Now: t0.Add(time.Hour), Pending: pending}
	planned, err := PlannedStatus(c, "app", opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Init(ctx, Location{Repo: filepath.Join(t.TempDir(), "l.git")}, c, InitOptions{Product: "app", Time: t0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	real, err := l.Status(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	planned.Head, real.Head = "", ""
	for _, st := range []*Status{planned, real} {
		for i := range st.Practices {
			for j := range st.Practices[i].Requirements {
				st.Practices[i].Requirements[j].Newest, st.Practices[i].Requirements[j].NewestID = nil, ""
			}
		}
	}
	if diff := cmp.Diff(real, planned); diff != "" {
		t.Errorf("planned status differs from a new ledger's (-real +planned):\n%s", diff)
	}
	if planned.Covered != 4 {
		t.Errorf("covered %d, want 4 (SM-5 and the pending SBOM's three)", planned.Covered)
	}
}
