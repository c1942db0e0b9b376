package ledger

import (
	"context"
	"crypto/ed25519"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"

	"github.com/sdlkit/sdlkit/internal/gitsign"
)

// syncGit runs the git binary in dir and returns its output. The tests
// need git for the server side (git http-backend) and to check that git
// reads what the ledger wrote; CI installs it, so a missing git fails.
func syncGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// syncServer creates an empty bare repository and serves it over HTTP on
// loopback with git http-backend, pushes enabled; it returns the
// repository's path and URL.
func syncServer(t testing.TB) (path, url string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("these tests need git (the server side, fsck): %v", err)
	}
	root := t.TempDir()
	syncGit(t, root, "init", "-q", "--bare", "--initial-branch="+DefaultBranch, "remote.git")
	path = filepath.Join(root, "remote.git")
	// Pushes enabled; and, to keep the tests quick on a busy machine, no
	// fsync, no automatic gc, and each push kept as the pack it came in
	// rather than unpacked into loose objects.
	for _, kv := range [][2]string{{"http.receivepack", "true"}, {"core.fsync", "none"}, {"gc.auto", "0"}, {"receive.unpackLimit", "1"}} {
		syncGit(t, path, "config", kv[0], kv[1])
	}
	execPath := strings.TrimSpace(syncGit(t, root, "--exec-path"))
	srv := httptest.NewServer(&cgi.Handler{
		Path:   filepath.Join(execPath, "git-http-backend"),
		Stderr: io.Discard, // git's messages for refused pushes
		Env:    []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + root},
	})
	t.Cleanup(srv.Close)
	return path, srv.URL + "/remote.git"
}

// syncFirst creates a ledger, as the first pipeline does, and syncs it to
// the empty remote at url.
func syncFirst(t testing.TB, url string) *Writer {
	t.Helper()
	w := &Writer{Ledger: newTestLedger(t), Now: clock()}
	res, err := w.Sync(context.Background(), SyncOptions{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	if base := syncVerify(t, w); res.Pushed != base.Commits || res.Fetched != 0 {
		t.Fatalf("first sync: %+v", res)
	}
	return w
}

// syncVerify verifies w's ledger and fails unless it is clean.
func syncVerify(t testing.TB, w *Writer) *Report {
	t.Helper()
	rep, err := w.Ledger.Verify(context.Background(), VerifyOptions{})
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	return rep
}

// syncJoin clones the ledger at url, as every further pipeline does.
func syncJoin(t testing.TB, url string) *Writer {
	t.Helper()
	loc := Location{Repo: filepath.Join(t.TempDir(), "ledger.git")}
	l, err := Clone(context.Background(), loc, catalog(t), CloneOptions{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	return &Writer{Ledger: l, Now: clock()}
}

// syncAppend appends one record with an evidence file made from its
// summary.
func syncAppend(t testing.TB, w *Writer, actor, summary string) Record {
	t.Helper()
	dir := t.TempDir()
	f := writeFile(t, dir, "note.md", summary)
	recs, err := w.Append(context.Background(), []Entry{{
		Record: Record{Actor: actor, Version: "1.0.0", Requirements: []string{"SM-7"}, Kind: "sbom", Summary: summary},
		Files:  []string{f},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return recs[0]
}

func syncHead(t testing.TB, w *Writer) string {
	t.Helper()
	h, err := w.Ledger.Head()
	if err != nil {
		t.Fatal(err)
	}
	return h.String()
}

func syncRemoteHead(t testing.TB, path string) string {
	t.Helper()
	return strings.TrimSpace(syncGit(t, path, "rev-parse", "refs/heads/"+DefaultBranch))
}

// syncPushReadme pushes a commit of a README, with git, to branch of the
// repository at path.
func syncPushReadme(t testing.TB, path, branch string) {
	t.Helper()
	work := t.TempDir()
	syncGit(t, work, "init", "-q")
	writeFile(t, work, "README", "hello\n")
	syncGit(t, work, "add", "README")
	syncGit(t, work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "readme")
	syncGit(t, work, "push", "-q", path, "HEAD:refs/heads/"+branch)
}

func TestSyncNoop(t *testing.T) {
	t.Parallel()
	path, url := syncServer(t)
	// The product's own repository: other branches, no ledger yet.
	syncPushReadme(t, path, "main")
	w := syncFirst(t, url)
	head := syncHead(t, w)
	res, err := w.Sync(context.Background(), SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := &SyncResult{Format: SyncFormat, Remote: "origin", Branch: DefaultBranch, Head: head, Attempts: 1}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Fatalf("second sync (-want +got):\n%s", diff)
	}
}

func TestSyncFastForward(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, url := syncServer(t)
	a := syncFirst(t, url)
	b := syncJoin(t, url)
	base := syncVerify(t, a)
	for i := range 3 {
		syncAppend(t, a, "ci", fmt.Sprintf("a%d", i))
	}
	if res, err := a.Sync(ctx, SyncOptions{}); err != nil || res.Pushed != 3 {
		t.Fatalf("a: %+v, %v", res, err)
	}
	res, err := b.Sync(ctx, SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fetched != 3 || res.Replayed != 0 || res.Pushed != 0 || res.Head != syncHead(t, a) || syncHead(t, b) != res.Head {
		t.Fatalf("b: %+v", res)
	}
	if rep := syncVerify(t, b); rep.Records != base.Records+3 {
		t.Fatalf("verify b: %+v", rep)
	}
}

// syncSSHKey makes an ed25519 SSH key and returns a signer of commits and
// a verifier that allows it, as "git verify-commit" would with gpg.format
// ssh.
func syncSSHKey(t testing.TB) (gitsign.Signer, *gitsign.Verifier) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gitsign.ParseSigner("bob", pem.EncodeToMemory(block), nil)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := gitsign.ParseAllowedSigners("allowed", append([]byte("bob@example.com "), ssh.MarshalAuthorizedKey(sshPub)...))
	if err != nil {
		t.Fatal(err)
	}
	return signer, verifier
}

func TestSyncReplaysOntoRemote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path, url := syncServer(t)
	a := syncFirst(t, url)
	b := syncJoin(t, url)
	signer, allowed := syncSSHKey(t)
	b.Signer = signer
	base := syncVerify(t, a)
	same := Record{Actor: "ci", Time: t0.Add(time.Hour), Requirements: []string{"SR-2"}, Kind: "review", Review: &Decision{Status: "approved"}}
	syncAppend(t, a, "ci", "a0")
	if _, err := a.Append(ctx, []Entry{{Record: same}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Sync(ctx, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	// b appends the same review (same content and time: the same record)
	// and one of its own.
	if _, err := b.Append(ctx, []Entry{{Record: same}}); err != nil {
		t.Fatal(err)
	}
	own := syncAppend(t, b, "Bob <bob@example.com>", "b0")
	before, _ := b.Ledger.Head()
	mine, err := b.Ledger.commit(before)
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Sync(ctx, SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fetched != 2 || res.Replayed != 1 || res.Dropped != 1 || res.Pushed != 1 || res.Attempts != 1 {
		t.Fatalf("sync: %+v", res)
	}
	if got := syncRemoteHead(t, path); got != res.Head || got != syncHead(t, b) {
		t.Fatalf("remote at %s, sync says %s", got, res.Head)
	}
	head, _ := b.Ledger.Head()
	c, err := b.Ledger.commit(head)
	if err != nil {
		t.Fatal(err)
	}
	if c.Message != mine.Message || !c.Author.When.Equal(mine.Author.When) || c.Author != mine.Author || c.Committer != mine.Committer ||
		c.ParentHashes[0].String() != syncHead(t, a) || !strings.Contains(c.Message, own.ID) {
		t.Fatalf("replayed commit: %+v\nlocal commit: %+v", c, mine)
	}
	// The replay is signed again, over its own encoding.
	enc := b.Ledger.storage.NewEncodedObject()
	if err := c.EncodeWithoutSignature(enc); err != nil {
		t.Fatal(err)
	}
	rd, err := enc.Reader()
	if err != nil {
		t.Fatal(err)
	}
	payload, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	if who, err := allowed.Verify(payload, c.PGPSignature); err != nil || who != "bob@example.com" {
		t.Fatalf("replayed commit's signature: %q, %v", who, err)
	}
	if rep := syncVerify(t, b); rep.Records != base.Records+3 || rep.Commits != base.Commits+3 {
		t.Fatalf("verify: %+v", rep)
	}
}

func TestSyncCheckpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path, url := syncServer(t)
	a := syncFirst(t, url)
	b := syncJoin(t, url)
	key := newTestKey("sync")
	syncAppend(t, a, "ci", "a0")
	// A checkpoint of a head the remote holds is pushed as it is.
	if _, err := a.Checkpoint(ctx, key); err != nil {
		t.Fatal(err)
	}
	if res, err := a.Sync(ctx, SyncOptions{}); err != nil || res.Pushed != 2 || res.Replayed != 0 {
		t.Fatalf("sync a: %+v, %v", res, err)
	}
	// b's record goes on top of the checkpoint, which still seals its parent.
	syncAppend(t, b, "ci", "b0")
	if _, err := b.Sync(ctx, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if rep, err := b.Ledger.Verify(ctx, VerifyOptions{Unsealer: key.Unsealer()}); err != nil || !rep.OK() || len(rep.Verified) != 1 {
		t.Fatalf("verify b: %+v, %v", rep, err)
	}
	// A checkpoint of a head the remote has moved past cannot be replayed.
	syncAppend(t, a, "ci", "a1")
	if _, err := a.Checkpoint(ctx, key); err != nil {
		t.Fatal(err)
	}
	head, remote := syncHead(t, a), syncRemoteHead(t, path)
	_, err := a.Sync(ctx, SyncOptions{})
	if !errors.Is(err, ErrNotReplayable) || strings.Contains(err.Error(), "\n") ||
		!strings.HasPrefix(err.Error(), `sync ledger with "origin": `) || !strings.Contains(err.Error(), "sync before checkpointing") {
		t.Fatalf("err = %v", err)
	}
	if syncHead(t, a) != head || syncRemoteHead(t, path) != remote {
		t.Fatal("a refused sync moved a branch")
	}
	rep, err := a.Ledger.Verify(ctx, VerifyOptions{Unsealer: key.Unsealer()})
	if err != nil || !rep.OK() || rep.Checkpoints != 2 || len(rep.Verified) != 2 {
		t.Fatalf("verify a: %+v, %v", rep, err)
	}
}

// TestSyncRemoteRefuses: a push the remote refuses for its own reasons
// (a hook) fails at once with the reason, and the ledger stays as it was.
func TestSyncRemoteRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path, url := syncServer(t)
	a := syncFirst(t, url)
	b := syncJoin(t, url)
	syncAppend(t, a, "ci", "a0")
	if _, err := a.Sync(ctx, SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	syncAppend(t, b, "ci", "b0")
	head := syncHead(t, b)
	if err := os.WriteFile(filepath.Join(path, "hooks", "pre-receive"), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := b.Sync(ctx, SyncOptions{})
	if err == nil || !strings.Contains(err.Error(), "pre-receive hook declined") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("sync: %+v, %v", res, err)
	}
	if syncHead(t, b) != head {
		t.Fatal("a refused push moved the local branch")
	}
	syncVerify(t, b)
}

func TestSyncRefusesForeignRemote(t *testing.T) {
	t.Parallel()
	newLedger := func(t *testing.T, _ string) *Writer { return &Writer{Ledger: newTestLedger(t), Now: clock()} }
	for _, tc := range []struct {
		name string
		// setup puts a branch that is not this ledger on the remote at
		// path and returns the writer that syncs with it.
		setup func(t *testing.T, path, url string) *Writer
		want  string
	}{
		{"not a ledger", func(t *testing.T, path, url string) *Writer {
			syncPushReadme(t, path, DefaultBranch)
			return newLedger(t, url)
		}, "shares no history"},
		{"another ledger", func(t *testing.T, path, url string) *Writer {
			if _, err := Init(context.Background(), Location{Repo: path}, catalog(t), InitOptions{Product: "other", Time: t0}, nil); err != nil {
				t.Fatal(err)
			}
			return newLedger(t, url)
		}, "shares no history"},
		{"a ledger edited by hand", func(t *testing.T, path, url string) *Writer {
			w := syncFirst(t, url)
			work := filepath.Join(t.TempDir(), "work")
			syncGit(t, filepath.Dir(work), "clone", "-q", "-b", DefaultBranch, path, work)
			writeFile(t, work, "scope.json", "{}\n")
			syncGit(t, work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "scope")
			syncGit(t, work, "push", "-q", "origin", DefaultBranch)
			return w
		}, "changes scope.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			path, url := syncServer(t)
			w := tc.setup(t, path, url)
			remote := syncRemoteHead(t, path)
			base := syncVerify(t, w)
			syncAppend(t, w, "ci", "r0")
			head := syncHead(t, w)
			_, err := w.Sync(ctx, SyncOptions{URL: url})
			if !errors.Is(err, ErrForeignRemote) || strings.Contains(err.Error(), "\n") ||
				!strings.HasPrefix(err.Error(), `sync ledger with "origin": `) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v", err)
			}
			if syncHead(t, w) != head || syncRemoteHead(t, path) != remote {
				t.Fatal("a refused sync moved a branch")
			}
			if rep := syncVerify(t, w); rep.Records != base.Records+1 {
				t.Fatalf("verify: %+v", rep)
			}
		})
	}
}

func TestCloneErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, url := syncServer(t)
	loc := Location{Repo: filepath.Join(t.TempDir(), "ledger.git")}
	if _, err := Clone(ctx, loc, catalog(t), CloneOptions{URL: url}); !errors.Is(err, ErrNoLedger) {
		t.Fatalf("empty remote: %v", err)
	}
	syncFirst(t, url)
	if _, err := Clone(ctx, loc, catalog(t), CloneOptions{URL: url}); err != nil {
		t.Fatalf("clone after a failed one: %v", err)
	}
	if _, err := Clone(ctx, loc, catalog(t), CloneOptions{URL: url}); !errors.Is(err, ErrExists) {
		t.Fatalf("clone twice: %v", err)
	}
	if _, err := Clone(ctx, loc, catalog(t), CloneOptions{URL: url + "x"}); err == nil {
		t.Fatal("clone with another URL for origin: no error")
	}
}

// TestSyncManyWriters is the case: eight pipelines append fifty
// records each to their own copy of one ledger, syncing as they go, all
// at once; every record arrives exactly once, and git reads the result.
func TestSyncManyWriters(t *testing.T) {
	const writers, records = 8, 50
	ctx := context.Background()
	path, url := syncServer(t)
	ws := []*Writer{syncFirst(t, url)}
	for range writers - 1 {
		ws = append(ws, syncJoin(t, url))
	}
	base, initial := syncVerify(t, ws[0]), syncRecordIDs(t, ws[0])
	dir := t.TempDir()
	shared := writeFile(t, dir, "policy.md", "the same evidence in every pipeline\n")
	ids := make([][]string, writers)
	attempts := make([]int, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i, w := range ws {
		wg.Go(func() { ids[i], attempts[i], errs[i] = syncPipeline(ctx, w, i, records, dir, shared) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("pipeline %d: %v", i, err)
		}
	}
	t.Logf("most rounds of one sync, per pipeline: %v", attempts)
	// Every pipeline syncs once more and then holds the remote's head.
	remote := syncRemoteHead(t, path)
	for i, w := range ws {
		res, err := w.Sync(ctx, SyncOptions{})
		if err != nil || res.Head != remote || res.Pushed != 0 {
			t.Fatalf("pipeline %d, last sync: %+v, %v", i, res, err)
		}
	}
	// A fresh clone holds every record exactly once and verifies.
	fresh := syncJoin(t, url)
	rep, err := fresh.Ledger.Verify(ctx, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Records != base.Records+writers*records || rep.Commits != base.Commits+writers*records ||
		rep.EvidenceFiles != base.EvidenceFiles+writers*records+1 {
		t.Fatalf("verify: records %d, commits %d, evidence %d, problems %q", rep.Records, rep.Commits, rep.EvidenceFiles, rep.Problems)
	}
	want := slices.Concat(append(ids, initial)...)
	slices.Sort(want)
	if diff := cmp.Diff(want, syncRecordIDs(t, fresh)); diff != "" {
		t.Fatalf("records on the remote (-want +got):\n%s", diff)
	}
	// The ledger, on the remote and in a pipeline's copy, stays a git
	// repository git reads.
	syncFsck(t, path)
	syncFsck(t, ws[0].Ledger.GitDir())
	if n := strings.Count(syncGit(t, path, "log", "--oneline", DefaultBranch), "\n"); n != rep.Commits {
		t.Fatalf("git log lists %d commits, want %d", n, rep.Commits)
	}
}

// syncRecordIDs lists the ids of the records at the head of w's ledger,
// sorted, one entry per record file.
func syncRecordIDs(t testing.TB, w *Writer) []string {
	t.Helper()
	head, err := w.Ledger.Head()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := w.Ledger.walkRecords(context.Background(), head, func(path string, _ plumbing.Hash) error {
		id, _ := recordID(path)
		ids = append(ids, id)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}

// syncFsck runs git fsck --strict on the repository at dir and fails on
// anything it reports but a notice (a bare repository made by go-git has
// HEAD on an unborn master).
func syncFsck(t testing.TB, dir string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(syncGit(t, dir, "fsck", "--strict", "--no-dangling")), "\n") {
		if line != "" && !strings.HasPrefix(line, "notice:") {
			t.Fatalf("git fsck --strict %s: %s", dir, line)
		}
	}
}

// syncPipeline is pipeline i of TestSyncManyWriters: it appends records,
// each with an evidence file of its own and one every pipeline shares,
// syncs after every few and at the end, and returns the records' ids and
// the most rounds one sync took.
func syncPipeline(ctx context.Context, w *Writer, i, records int, dir, shared string) (ids []string, rounds int, err error) {
	const every = 5
	for j := range records {
		own := filepath.Join(dir, fmt.Sprintf("sbom-%d-%d.cdx.json", i, j))
		if err := os.WriteFile(own, fmt.Appendf(nil, `{"pipeline":%d,"n":%d}`, i, j), 0o644); err != nil {
			return nil, 0, err
		}
		recs, err := w.Append(ctx, []Entry{{
			Record: Record{Actor: fmt.Sprintf("pipeline-%d", i), Version: "1.0.0", Requirements: []string{"SM-7"}, Kind: "sbom",
				Summary: fmt.Sprintf("record %d of pipeline %d", j, i)},
			Files: []string{own, shared},
		}})
		if err != nil {
			return nil, 0, err
		}
		ids = append(ids, recs[0].ID)
		if (j+1)%every != 0 && j != records-1 {
			continue
		}
		res, err := w.Sync(ctx, SyncOptions{})
		if err != nil {
			return nil, 0, err
		}
		rounds = max(rounds, res.Attempts)
	}
	return ids, rounds, nil
}
