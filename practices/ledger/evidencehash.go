package ledger

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// evidenceHasher hashes evidence blobs on GOMAXPROCS goroutines while
// Verify walks the history: blobs are independent, and hashing them is
// most of what verifying a ledger with much evidence costs. Each blob is
// streamed through a buffer of its worker's, so memory does not grow with
// the blobs' size. Its problems are put back where a verification one blob
// at a time would have listed them (see merge), so a report is the same
// whatever the number of workers and whichever finishes first.
type evidenceHasher struct {
	ctx     context.Context
	jobs    chan hashJob
	wg      sync.WaitGroup
	stopped sync.Once
	mu      sync.Mutex
	failed  []hashJob // with problem set
	files   atomic.Int64
	bytes   atomic.Int64
	next    int // the seq of the next job
}

// hashJob is one blob to hash: its stream, opened by Verify, and where a
// problem with it goes among the others.
type hashJob struct {
	seq     int // order of sending
	at      int // the number of problems found before it
	commit  plumbing.Hash
	path    string
	hex     string // the SHA-256 its path names
	rd      io.ReadCloser
	problem string
}

func newEvidenceHasher(ctx context.Context) *evidenceHasher {
	workers := runtime.GOMAXPROCS(0)
	h := &evidenceHasher{ctx: ctx, jobs: make(chan hashJob, workers)}
	for range workers {
		h.wg.Go(h.work)
	}
	return h
}

// hash queues a blob; it waits while every worker is busy and the queue
// full. problemsBefore places a problem with it in the report.
func (h *evidenceHasher) hash(commit plumbing.Hash, path, hexDigest string, rd io.ReadCloser, problemsBefore int) {
	h.jobs <- hashJob{seq: h.next, at: problemsBefore, commit: commit, path: path, hex: hexDigest, rd: rd}
	h.next++
}

func (h *evidenceHasher) work() {
	buf := make([]byte, 64<<10)
	for j := range h.jobs {
		n, err := h.check(j, buf)
		if err != nil {
			j.problem = lineBreaks.Replace(fmt.Sprintf("commit %s: %s: %v", j.commit, j.path, err))
			h.mu.Lock()
			h.failed = append(h.failed, j)
			h.mu.Unlock()
			continue
		}
		h.files.Add(1)
		h.bytes.Add(n)
	}
}

// check reads a blob to its end, where its git hash is checked, and
// compares its SHA-256 with the one its path names.
func (h *evidenceHasher) check(j hashJob, buf []byte) (int64, error) {
	defer j.rd.Close()
	sum := sha256.New()
	n, err := io.CopyBuffer(sum, readlimit.ContextReader(h.ctx, j.rd), buf)
	if err != nil {
		return 0, err
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != j.hex {
		return 0, fmt.Errorf("content has SHA-256 %s, not the one its name says", got)
	}
	return n, nil
}

// stop waits for the blobs queued; without it, a canceled verification
// would leave workers and open files behind.
func (h *evidenceHasher) stop() {
	h.stopped.Do(func() {
		close(h.jobs)
		h.wg.Wait()
	})
}

// merge waits for every blob, counts those that verified in rep and puts
// the problems of the others among rep's, each after the problems found
// before it was queued.
func (h *evidenceHasher) merge(rep *Report) {
	h.stop()
	rep.EvidenceFiles += int(h.files.Load())
	rep.EvidenceBytes += h.bytes.Load()
	if len(h.failed) == 0 {
		return
	}
	slices.SortFunc(h.failed, func(a, b hashJob) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]string, 0, len(rep.Problems)+len(h.failed))
	i := 0
	for _, j := range h.failed {
		out = append(out, rep.Problems[i:j.at]...)
		out = append(out, j.problem)
		i = j.at
	}
	rep.Problems = append(out, rep.Problems[i:]...)
}
