package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// evidenceHasher hashes evidence blobs: a small one at once, on the
// caller's goroutine, a large one on one of GOMAXPROCS workers, since blobs
// are independent and hashing large ones is most of what verifying a
// ledger with much evidence costs (handing a blob of a few KiB to another
// goroutine costs more than hashing it). Blobs are streamed through
// buffers of 64 KiB, so memory does not grow with their size. The queue
// holds one open blob per worker; hash waits while it is full.
type evidenceHasher struct {
	l       *Ledger
	ctx     context.Context
	jobs    chan hashJob
	bufs    sync.Pool
	wg      sync.WaitGroup
	stopped sync.Once
}

// hashJob is a large blob, open, for a worker.
type hashJob struct {
	check *blobCheck
	rd    io.ReadCloser
}

// inlineHashSize is the largest blob hash hashes on its caller's goroutine.
const inlineHashSize = 1 << 20

// blobCheck is one blob to hash and, once done is closed, what was found.
type blobCheck struct {
	hex     string // the SHA-256 its path names
	done    chan struct{}
	openErr error // the blob could not be opened: missing or unreadable
	size    int64 // as its header says
	err     error // it could not be read, or its content is not what its names say
}

func newEvidenceHasher(ctx context.Context, l *Ledger) *evidenceHasher {
	workers := runtime.GOMAXPROCS(0)
	h := &evidenceHasher{l: l, ctx: ctx, jobs: make(chan hashJob, workers)}
	for range workers {
		h.wg.Go(h.work)
	}
	return h
}

// hash hashes blob, whose path names hexDigest as its SHA-256, or queues
// it when it is large.
func (h *evidenceHasher) hash(blob plumbing.Hash, hexDigest string) *blobCheck {
	c := &blobCheck{hex: hexDigest, done: make(chan struct{})}
	rd, size, err := h.l.openBlob(blob, fastSHA1)
	if err != nil {
		c.openErr = err
		close(c.done)
		return c
	}
	c.size = size
	if size > MaxEvidenceSize {
		// More than the ledger stores: not read (a crafted delta or
		// header could name terabytes).
		rd.Close()
		c.err = fmt.Errorf("%d bytes, more than evidence may be (%s)", size, readlimit.FormatSize(MaxEvidenceSize))
		close(c.done)
		return c
	}
	if size > inlineHashSize {
		h.jobs <- hashJob{check: c, rd: rd}
		return c
	}
	h.check(c, rd)
	return c
}

func (h *evidenceHasher) work() {
	for j := range h.jobs {
		h.check(j.check, j.rd)
	}
}

// check reads a blob to its end, where its git hash is checked, compares
// its SHA-256 with the one its path names, closes it and says it is done.
func (h *evidenceHasher) check(c *blobCheck, rd io.ReadCloser) {
	defer close(c.done)
	defer rd.Close()
	buf, _ := h.bufs.Get().(*[]byte)
	if buf == nil {
		b := make([]byte, 64<<10)
		buf = &b
	}
	defer h.bufs.Put(buf)
	sum := sha256.New()
	if _, c.err = io.CopyBuffer(sum, readlimit.ContextReader(h.ctx, rd), *buf); c.err != nil {
		return
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != c.hex {
		c.err = fmt.Errorf("content has SHA-256 %s, not the one its name says", got)
	}
}

// stop waits for the blobs queued and ends the workers.
func (h *evidenceHasher) stop() {
	h.stopped.Do(func() {
		close(h.jobs)
		h.wg.Wait()
	})
}
