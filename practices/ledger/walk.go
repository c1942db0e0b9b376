package ledger

import (
	"context"
	"runtime"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// walk verifies chain, oldest first, each commit against the one before
// it: base before the first, or, without base, the first is the root. What
// a commit holds is found on GOMAXPROCS goroutines, a window of commits
// ahead (see commitFacts); what it means for the history is decided here,
// in order, so the report is the same as a walk one commit at a time
// would make.
func (v *verifier) walk(ctx context.Context, chain []*object.Commit, base *object.Commit) error {
	parent := func(i int) *object.Commit {
		if i > 0 {
			return chain[i-1]
		}
		return base
	}
	done := func(i int) {
		if v.opts.Progress != nil {
			v.opts.Progress(i+1, len(chain))
		}
	}
	first := 0
	if base == nil && len(chain) > 0 {
		v.root(chain[0])
		v.signed(chain[0], v.signature(chain[0]))
		done(0)
		first = 1
	}
	// Workers take blocks of commits: a worker diffing commit k while
	// another diffs k+1 would wait for the trees k+1 replaces, which k
	// is reading.
	block := func(b int) (int, int) { return first + b*walkBlock, min(first+(b+1)*walkBlock, len(chain)) }
	workers := runtime.GOMAXPROCS(0)
	return orderedMap(ctx, (len(chain)-first+walkBlock-1)/walkBlock, workers, 4*workers,
		func(b int) []*commitFacts {
			from, to := block(b)
			facts := make([]*commitFacts, 0, to-from)
			for i := from; i < to; i++ {
				facts = append(facts, v.facts(parent(i), chain[i]))
			}
			return facts
		},
		func(b int, facts []*commitFacts) {
			from, _ := block(b)
			for j, f := range facts {
				v.commit(ctx, parent(from+j), chain[from+j], f)
				v.signed(chain[from+j], f.signature)
				done(from + j)
			}
		})
}

// walkBlock is how many commits a worker of walk takes at once.
const walkBlock = 16

// commitFacts is what can be learnt of a commit without the history before
// it: its changes against its parent, each added record read and checked
// against the catalog, each added evidence blob hashed (or queued, when
// large: see evidenceHasher), and its signature checked.
type commitFacts struct {
	changes   []change
	err       error       // the diff failed
	added     []addedFile // for each change
	signature error
}

// addedFile is what was learnt of an added file.
type addedFile struct {
	record *Record
	err    error      // why record could not be read or does not fit the catalog
	blob   *blobCheck // an evidence blob, hashed or being hashed
}

// facts finds what commit c holds, against its parent; several goroutines
// call it at once.
func (v *verifier) facts(parent, c *object.Commit) *commitFacts {
	f := &commitFacts{signature: v.signature(c)}
	if f.err = v.trees.diff(parent.TreeHash, c.TreeHash, "", &f.changes); f.err != nil {
		return f
	}
	f.added = make([]addedFile, len(f.changes))
	for i, ch := range f.changes {
		if !ch.from.IsZero() || ch.toMode != filemode.Regular {
			continue
		}
		switch kindOf(ch.path) {
		case recordFile:
			r, err := v.l.readRecord(ch.to, ch.path)
			if err == nil {
				err = r.checkCatalog(v.l.catalog)
			}
			f.added[i] = addedFile{record: r, err: err}
		case evidenceFile:
			f.added[i].blob = v.hashes.hash(ch.to, ch.path[strings.LastIndexByte(ch.path, '/')+1:])
		}
	}
	return f
}

// fileKind is what a file of the ledger's tree is, by its path.
type fileKind int

const (
	unexpectedFile fileKind = iota
	recordFile
	evidenceFile // named by a well-formed digest
	checkpointFile
)

func kindOf(path string) fileKind {
	switch {
	case strings.HasPrefix(path, "records/"):
		return recordFile
	case strings.HasPrefix(path, "evidence/"):
		digest := "sha256:" + path[strings.LastIndexByte(path, '/')+1:]
		if digestPattern.MatchString(digest) && EvidencePath(digest) == path {
			return evidenceFile
		}
	case strings.HasPrefix(path, checkpointDir):
		return checkpointFile
	}
	return unexpectedFile
}

// orderedMap calls work(i) for each i in [0, n) on workers goroutines, at
// most window indexes ahead of use, and use(i, work(i)) for each i in
// order on the calling goroutine: work is the part of a job that needs
// nothing of the jobs before it, use the part that does. It returns ctx's
// error when ctx is done, after every work call it started has returned.
func orderedMap[T any](ctx context.Context, n, workers, window int, work func(i int) T, use func(i int, t T)) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	// A result waits in the slot of its index modulo window; at most
	// window indexes are taken and not yet used, so a slot is always free
	// when its next result comes.
	slots := make([]chan T, window)
	for i := range slots {
		slots[i] = make(chan T, 1)
	}
	taken := make(chan struct{}, window)
	next := make(chan int)
	wg.Go(func() {
		defer close(next)
		for i := range n {
			select {
			case taken <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	})
	for range workers {
		wg.Go(func() {
			for i := range next {
				slots[i%window] <- work(i)
			}
		})
	}
	for i := range n {
		select {
		case t := <-slots[i%window]:
			use(i, t)
			<-taken
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return ctx.Err()
}
