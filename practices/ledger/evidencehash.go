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

// evidenceHasher hashes evidence blobs on GOMAXPROCS goroutines: blobs are
// independent, and hashing them is most of what verifying a ledger with
// much evidence costs. A blob is opened only when a worker takes it and is
// streamed through that worker's buffer, so at most one blob per worker is
// open and memory does not grow with the blobs' size. The queue holds one
// blob per worker; hash waits while it is full.
type evidenceHasher struct {
	l       *Ledger
	ctx     context.Context
	jobs    chan *blobCheck
	wg      sync.WaitGroup
	stopped sync.Once
}

// blobCheck is one blob to hash and, once done is closed, what was found.
type blobCheck struct {
	blob    plumbing.Hash
	hex     string // the SHA-256 its path names
	done    chan struct{}
	openErr error // the blob could not be opened: missing or unreadable
	size    int64 // as its header says
	err     error // it could not be read, or its content is not what its names say
}

func newEvidenceHasher(ctx context.Context, l *Ledger) *evidenceHasher {
	workers := runtime.GOMAXPROCS(0)
	h := &evidenceHasher{l: l, ctx: ctx, jobs: make(chan *blobCheck, workers)}
	for range workers {
		h.wg.Go(h.work)
	}
	return h
}

// hash queues blob, whose path names hexDigest as its SHA-256.
func (h *evidenceHasher) hash(blob plumbing.Hash, hexDigest string) *blobCheck {
	c := &blobCheck{blob: blob, hex: hexDigest, done: make(chan struct{})}
	h.jobs <- c
	return c
}

func (h *evidenceHasher) work() {
	buf := make([]byte, 64<<10)
	for c := range h.jobs {
		h.check(c, buf)
		close(c.done)
	}
}

// check reads a blob to its end, where its git hash is checked, and
// compares its SHA-256 with the one its path names.
func (h *evidenceHasher) check(c *blobCheck, buf []byte) {
	rd, size, err := h.l.openBlob(c.blob, fastSHA1)
	if err != nil {
		c.openErr = err
		return
	}
	defer rd.Close()
	c.size = size
	sum := sha256.New()
	if _, c.err = io.CopyBuffer(sum, readlimit.ContextReader(h.ctx, rd), buf); c.err != nil {
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
