package ledger

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/sdlkit/sdlkit/practices"
)

// The kill tests run the test binary again as a writer process (TestMain
// turns it into one when envWriterRepo is set), kill it with SIGKILL and
// check what it leaves: a ledger that verifies, every record it reported
// present with its evidence, and nothing that blocks the next writer.
const (
	// envWriterRepo is the ledger repository the writer process appends to.
	envWriterRepo = "SDLKIT_LEDGER_TEST_WRITER_REPO"
	// envWriterDir is where it writes its evidence files before appending.
	envWriterDir = "SDLKIT_LEDGER_TEST_WRITER_DIR"
	// envWriterSeed seeds its choice of records and evidence content.
	envWriterSeed = "SDLKIT_LEDGER_TEST_WRITER_SEED"
	// envWriterHold makes it stop for good while it holds "<ref>.lock".
	envWriterHold = "SDLKIT_LEDGER_TEST_WRITER_HOLD"
	// envKillSeed repeats a run of TestWriterKilledAtRandom.
	envKillSeed = "SDLKIT_LEDGER_KILL_SEED"
)

// Sizes of the writer's evidence: every record has a small file; a third
// of them also a large one, so that most kills land while a blob is
// written (zlib writes a few MB a second), and the ledger stays small
// enough to verify after every kill.
const (
	minLargeEvidence = 1 << 20
	maxLargeEvidence = 3 << 20
	maxWriterRounds  = 200
	// maxKillDelay bounds how long a writer runs before it is killed.
	maxKillDelay = 250 * time.Millisecond
)

// writerKey seals the checkpoints the writer process makes.
var writerKey = newTestKey("writer")

func TestMain(m *testing.M) {
	if repo := os.Getenv(envWriterRepo); repo != "" {
		if err := writerProcess(repo); err != nil {
			fmt.Fprintln(os.Stderr, "writer:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// writerProcess appends records with evidence files to the ledger at repo,
// one or two a batch, with a checkpoint every fourth batch, until killed
// or after maxWriterRounds batches. It prints "ready" once the ledger is
// open and each record's id once Append has returned it.
func writerProcess(repo string) error {
	ctx := context.Background()
	c, err := practices.Builtin()
	if err != nil {
		return err
	}
	l, err := Open(Location{Repo: repo}, c)
	if err != nil {
		return err
	}
	seed, err := strconv.ParseUint(os.Getenv(envWriterSeed), 10, 64)
	if err != nil {
		return fmt.Errorf("%s: %w", envWriterSeed, err)
	}
	if os.Getenv(envWriterHold) != "" {
		testHookRefLocked = func() { say("locked"); time.Sleep(time.Hour) }
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	var chachaSeed [32]byte
	copy(chachaSeed[:], strconv.FormatUint(seed, 10))
	large := make([]byte, maxLargeEvidence)
	_, _ = rand.NewChaCha8(chachaSeed).Read(large)
	w := &Writer{Ledger: l}
	say("ready")
	for round := range maxWriterRounds {
		entries := make([]Entry, 1+rng.IntN(2))
		for i := range entries {
			if entries[i], err = writerEntry(rng, large, seed, round, i); err != nil {
				return err
			}
		}
		recs, err := w.Append(ctx, entries)
		if err != nil {
			return err
		}
		for _, r := range recs {
			say(r.ID)
		}
		if round%4 == 3 {
			if _, err := w.Checkpoint(ctx, writerKey); err != nil {
				return err
			}
		}
	}
	return nil
}

// say writes one line to stdout in one write, so that a kill never leaves
// half a line the parent could take for a record id.
func say(line string) { _, _ = os.Stdout.WriteString(line + "\n") }

// writerEntry writes the evidence of the writer's record i of round and
// returns its entry. Content is unique to the record, so that every
// evidence file is a new blob.
func writerEntry(rng *rand.Rand, large []byte, seed uint64, round, i int) (Entry, error) {
	dir := os.Getenv(envWriterDir)
	tag := fmt.Sprintf("pid %d seed %d round %d record %d", os.Getpid(), seed, round, i)
	small := filepath.Join(dir, fmt.Sprintf("scan-%d.sarif", i))
	if err := os.WriteFile(small, []byte(`{"runs":[],"tag":"`+tag+`"}`), 0o644); err != nil {
		return Entry{}, err
	}
	e := Entry{Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SVV-3"}, Kind: "vuln-scan", Summary: tag},
		Files: []string{small}}
	if rng.IntN(3) == 0 {
		n := minLargeEvidence + rng.IntN(maxLargeEvidence-minLargeEvidence)
		path := filepath.Join(dir, fmt.Sprintf("image-%d.bin", i))
		if err := os.WriteFile(path, append([]byte(tag+"\n"), large[:n]...), 0o644); err != nil {
			return Entry{}, err
		}
		e.Files = append(e.Files, path)
		e.Record.Kind, e.Record.Requirements = "sbom", []string{"SM-7"}
	}
	return e, nil
}

// writerRun is one writer process started by a test.
type writerRun struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr bytes.Buffer
}

// startWriter starts the writer process on l's repository; hold makes it
// stop while it holds the ref's lock.
func startWriter(t *testing.T, l *Ledger, seed uint64, hold bool) *writerRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envWriterRepo+"="+l.loc.Repo, envWriterDir+"="+t.TempDir(),
		envWriterSeed+"="+strconv.FormatUint(seed, 10))
	if hold {
		cmd.Env = append(cmd.Env, envWriterHold+"=1")
	}
	run := &writerRun{cmd: cmd, lines: make(chan string, 1024)}
	cmd.Stderr = &run.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(run.lines)
		rd := bufio.NewReader(out)
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return // a line without its newline was cut by the kill
			}
			run.lines <- strings.TrimSuffix(line, "\n")
		}
	}()
	return run
}

// await reads lines until want, failing the test after timeout or when
// the process ends first; it returns the lines before want.
func (r *writerRun) await(t *testing.T, want string, timeout time.Duration) []string {
	t.Helper()
	var before []string
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-r.lines:
			if !ok {
				err := r.cmd.Wait()
				t.Fatalf("the writer ended (%v) before printing %q: %s", err, want, r.stderr.String())
			}
			if line == want {
				return before
			}
			before = append(before, line)
		case <-deadline:
			r.kill(t)
			t.Fatalf("the writer did not print %q within %s: %s", want, timeout, r.stderr.String())
		}
	}
}

// kill kills the writer with SIGKILL, waits for it and returns the lines
// it printed since the last await. A writer that failed on its own fails
// the test.
func (r *writerRun) kill(t *testing.T) []string {
	t.Helper()
	if err := r.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	var rest []string
	for line := range r.lines {
		rest = append(rest, line)
	}
	err := r.cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL) {
		t.Fatalf("writer: %v: %s", err, r.stderr.String())
	}
	return rest
}

// killStats counts what the kills left behind, to show where they landed.
type killStats struct {
	records, withLarge, tmpObjects, refLocks int
	appendMax                                time.Duration
	tmpSeen                                  map[string]bool
}

func TestWriterKilledAtRandom(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(envKillSeed); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s: %v", envKillSeed, err)
		}
	}
	t.Logf("seed %d (%s=%d repeats this run)", seed, envKillSeed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	ctx := context.Background()
	stats := killStats{tmpSeen: map[string]bool{}}
	start := time.Now()
	// Verify reads every evidence blob, so the kills are spread over a
	// few ledgers to keep the test's time linear in the kills.
	const ledgers, killsPerLedger = 4, 8
	for n := range ledgers {
		l := newTestLedger(t)
		reported, checked := map[string]bool{}, map[string]bool{}
		for k := range killsPerLedger {
			i := n*killsPerLedger + k
			run := startWriter(t, l, seed+uint64(i)+1, false)
			ids := run.await(t, "ready", 30*time.Second)
			time.Sleep(time.Duration(rng.Int64N(int64(maxKillDelay))))
			ids = append(ids, run.kill(t)...)
			for _, id := range ids {
				reported[id] = true
			}
			stats.observe(t, l)
			checkAfterKill(t, ctx, l, reported, checked, &stats, fmt.Sprintf("kill %d of seed %d", i+1, seed))
		}
		stats.records += len(checked)
		checkWithGit(t, ctx, l)
	}
	t.Logf("%d kills in %s: %d records (%d with a large evidence file) committed; the kills left %d half-written object files and %d ref locks; the slowest append after a kill took %s",
		ledgers*killsPerLedger, time.Since(start).Round(time.Millisecond), stats.records, stats.withLarge, stats.tmpObjects, stats.refLocks, stats.appendMax.Round(time.Millisecond))
}

// observe counts the half-written object files and the ref lock a kill
// left.
func (s *killStats) observe(t *testing.T, l *Ledger) {
	t.Helper()
	tmp, err := filepath.Glob(filepath.Join(l.GitDir(), "objects", "pack", "tmp_obj_*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range tmp {
		if !s.tmpSeen[p] {
			s.tmpSeen[p] = true
			s.tmpObjects++
		}
	}
	if _, err := os.Stat(l.refPath() + ".lock"); err == nil {
		s.refLocks++
	}
}

// checkWithGit runs git fsck --strict on the ledger's repository, and
// checks that git log lists the commits Verify walked.
func checkWithGit(t *testing.T, ctx context.Context, l *Ledger) {
	t.Helper()
	gitDir := l.GitDir()
	runGit(t, gitDir, nil, "fsck", "--strict", "--no-dangling")
	log := strings.Fields(runGit(t, gitDir, nil, "log", "--format=%H", l.branch.String()))
	rep, err := l.Verify(ctx, VerifyOptions{Unsealer: writerKey.Unsealer()})
	if err != nil || !rep.OK() || len(log) == 0 || len(log) != rep.Commits || log[0] != rep.Head {
		t.Fatalf("git log lists %q; verify: %d commits from %s, %v %q", log, rep.Commits, rep.Head, err, rep.Problems)
	}
}

// checkAfterKill checks the ledger a killed writer left: it verifies; the
// records the writer reported are there; every record is there whole, its
// evidence stored with the digest and size it names; and the next append
// succeeds at once.
func checkAfterKill(t *testing.T, ctx context.Context, l *Ledger, reported, checked map[string]bool, stats *killStats, what string) {
	t.Helper()
	l, err := Open(l.loc, l.catalog)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	rep, err := l.Verify(ctx, VerifyOptions{Unsealer: writerKey.Unsealer()})
	if err != nil || !rep.OK() {
		t.Fatalf("%s: verify: %v\n%s", what, err, strings.Join(rep.Problems, "\n"))
	}
	head, err := l.Head()
	if err != nil {
		t.Fatal(err)
	}
	present := map[string]plumbing.Hash{}
	if err := l.walkRecords(ctx, head, func(path string, h plumbing.Hash) error {
		id, _ := recordID(path)
		present[id] = h
		return nil
	}); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for id := range reported {
		if _, ok := present[id]; !ok {
			t.Fatalf("%s: record %s was reported committed but is not in the ledger", what, id)
		}
	}
	for id, h := range present {
		if checked[id] {
			continue
		}
		r, err := l.readRecord(h, RecordPath(id))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, f := range r.Evidence {
			checkEvidence(t, l, head, f, what)
		}
		if len(r.Evidence) > 1 {
			stats.withLarge++
		}
		checked[id] = true
	}
	w := &Writer{Ledger: l}
	began := time.Now()
	recs, err := w.Append(ctx, []Entry{{Record: Record{Actor: "test", Requirements: []string{"SM-7"}, Kind: "sbom", Summary: what},
		Files: []string{writeFile(t, t.TempDir(), "after.json", `{"after":"`+what+`"}`)}}})
	took := time.Since(began)
	if err != nil {
		t.Fatalf("%s: append after the kill (%s): %v", what, took, err)
	}
	stats.appendMax = max(stats.appendMax, took)
	if took > 2*time.Second {
		t.Errorf("%s: append after the kill took %s: a lock the killed writer left blocked it", what, took)
	}
	reported[recs[0].ID] = true
}

// checkEvidence reads f's blob at head and checks its SHA-256 and size.
func checkEvidence(t *testing.T, l *Ledger, head plumbing.Hash, f File, what string) {
	t.Helper()
	c, err := l.commit(head)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := c.Tree()
	if err != nil {
		t.Fatal(err)
	}
	file, err := tr.File(EvidencePath(f.Digest))
	if err != nil {
		t.Fatalf("%s: evidence %s of a committed record: %v", what, f.Digest, err)
	}
	rd, err := file.Reader()
	if err != nil {
		t.Fatalf("%s: evidence %s: %v", what, f.Digest, err)
	}
	defer rd.Close()
	sum := sha256.New()
	n, err := io.Copy(sum, rd)
	if err != nil || "sha256:"+hex.EncodeToString(sum.Sum(nil)) != f.Digest || n != f.Size {
		t.Fatalf("%s: evidence %s: %d bytes, %v; the record says %d bytes", what, f.Digest, n, err, f.Size)
	}
}

func TestWriterKilledHoldingRefLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newTestLedger(t)
	before, err := l.Head()
	if err != nil {
		t.Fatal(err)
	}
	run := startWriter(t, l, 1, true)
	run.await(t, "ready", 30*time.Second)
	run.await(t, "locked", 30*time.Second)
	if ids := run.kill(t); len(ids) != 0 {
		t.Fatalf("the writer reported %q while it held the lock", ids)
	}
	if _, err := os.Stat(l.refPath() + ".lock"); err != nil {
		t.Fatalf("the killed writer left no ref lock: %v", err)
	}
	reported := map[string]bool{}
	var stats killStats
	checkAfterKill(t, ctx, l, reported, map[string]bool{}, &stats, "writer killed holding the ref lock")
	// The killed writer's records are not there: only the one appended
	// after the kill, on the head the writer found.
	head, err := l.Head()
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.commit(head)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ParentHashes) != 1 || c.ParentHashes[0] != before {
		t.Fatalf("head %s: parents %v, want %s", head, c.ParentHashes, before)
	}
	// git moves the branch too: the lock is gone for it as well.
	runGit(t, l.GitDir(), nil, "update-ref", l.branch.String(), before.String(), head.String())
}

func TestRefLockOfAnotherProcess(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// prepare leaves what another process or a killed writer left.
		prepare func(t *testing.T, l *Ledger)
		// gitHolds: a lock sdlkit must wait for, never remove.
		gitHolds bool
	}{
		{name: "git holds the lock", gitHolds: true, prepare: func(t *testing.T, l *Ledger) {
			writeFile(t, filepath.Dir(l.refPath()), filepath.Base(l.refPath())+".lock", strings.Repeat("1", 40)+"\n")
		}},
		{name: "git holds the lock a killed writer noted", gitHolds: true, prepare: func(t *testing.T, l *Ledger) {
			head, err := l.Head()
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(l.lockNotePath()), 0o755); err != nil {
				t.Fatal(err)
			}
			// The same content, but another file: git's lock.
			writeFile(t, filepath.Dir(l.lockNotePath()), filepath.Base(l.lockNotePath()), head.String()+"\n")
			writeFile(t, filepath.Dir(l.refPath()), filepath.Base(l.refPath())+".lock", head.String()+"\n")
		}},
		{name: "a writer killed after its rename left the note linked to the ref", prepare: func(t *testing.T, l *Ledger) {
			if err := os.MkdirAll(filepath.Dir(l.lockNotePath()), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Link(l.refPath(), l.lockNotePath()); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newTestLedger(t)
			tc.prepare(t, l)
			done := make(chan error, 1)
			go func() {
				w := &Writer{Ledger: l}
				_, err := w.Append(context.Background(), []Entry{{Record: Record{Actor: "ci", Requirements: []string{"SM-7"}, Kind: "sbom"}}})
				done <- err
			}()
			if tc.gitHolds {
				time.Sleep(300 * time.Millisecond)
				select {
				case err := <-done:
					t.Fatalf("append did not wait for git's lock: %v", err)
				default:
				}
				// git finishes: its lock goes, as only git may remove it.
				if err := os.Remove(l.refPath() + ".lock"); err != nil {
					t.Fatalf("git's lock is gone before git removed it: %v", err)
				}
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			head, err := l.Head()
			if err != nil {
				t.Fatal(err)
			}
			if got := runGit(t, l.GitDir(), nil, "rev-parse", l.branch.String()); got != head.String() {
				t.Fatalf("git reads the branch as %s, the ledger as %s", got, head)
			}
			rep, err := l.Verify(context.Background(), VerifyOptions{})
			if err != nil || !rep.OK() || rep.Records != 2 {
				t.Fatalf("verify: %v %+v", err, rep)
			}
		})
	}
}

func TestLedgerInLinkedWorktree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	main, wt := filepath.Join(dir, "main"), filepath.Join(dir, "wt")
	runGit(t, dir, nil, "init", "-q", main)
	runGit(t, main, nil, "commit", "-q", "--allow-empty", "-m", "product")
	runGit(t, main, nil, "worktree", "add", "-q", wt)
	c := catalog(t)
	l, err := Init(ctx, Location{Dir: wt}, c, InitOptions{Product: "app", Time: t0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(main, ".git"); l.GitDir() != want {
		t.Errorf("GitDir() = %s, want %s", l.GitDir(), want)
	}
	// Writers in either worktree append to the one branch of the
	// repository, under one lock.
	for i, at := range []string{wt, main, wt} {
		l, err := Open(Location{Dir: at}, c)
		if err != nil {
			t.Fatalf("open from %s: %v", at, err)
		}
		w := &Writer{Ledger: l}
		if _, err := w.Append(ctx, []Entry{{Record: Record{Actor: "ci", Requirements: []string{"SM-7"}, Kind: "sbom", Summary: fmt.Sprint(i, " from ", at)}}}); err != nil {
			t.Fatalf("append from %s: %v", at, err)
		}
	}
	if _, err := os.Stat(filepath.Join(main, ".git", "sdlkit", "lock")); err != nil {
		t.Errorf("the writers' lock is not in the common git directory: %v", err)
	}
	head, err := l.Head()
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []string{main, wt} {
		if got := runGit(t, at, nil, "rev-parse", DefaultBranch); got != head.String() {
			t.Errorf("git in %s reads %s as %s, the ledger as %s", at, DefaultBranch, got, head)
		}
	}
	rep, err := l.Verify(ctx, VerifyOptions{})
	if err != nil || !rep.OK() || rep.Records != 4 {
		t.Fatalf("verify: %v %+v", err, rep)
	}
}
