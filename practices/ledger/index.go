package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
)

// Summary is what status and log need of a record.
type Summary struct {
	ID           string
	Time         time.Time
	Actor        string
	Product      string
	Version      string
	Kind         string
	Requirements []string
	// Summary is the record's summary, cut to one line of at most 160 bytes.
	Summary string
}

func summarize(r *Record) Summary {
	return Summary{ID: r.ID, Time: r.Time, Actor: r.Actor, Product: r.Product, Version: r.Version, Kind: r.Kind,
		Requirements: r.Requirements, Summary: oneLine(r.Summary, 160)}
}

// index is the list of the records at a commit, kept in a cache file
// beside the repository (in its git directory, never on the branch) so that
// reading a ledger of many records costs only the commits since the last
// read. The cache is an accelerator for status and log only: Verify never
// reads it.
type index struct {
	Head    plumbing.Hash
	Records []Summary
}

// The index file's header (see cacheWriter). The version changes with
// what the file holds; version 1 was a gob.
const (
	indexMagic   = "sdlkit ledger index\n"
	indexVersion = 2
)

// minSummarySize is the fewest bytes a summary takes in the index file:
// six strings' lengths, a count and a time of 15 bytes and its length.
const minSummarySize = 6 + 1 + 16

// encode writes idx as the index file.
func (idx *index) encode() []byte {
	reqs, size := 0, 0
	for _, s := range idx.Records {
		reqs += len(s.Requirements)
		size += minSummarySize + 2*len(s.Requirements) + len(s.ID) + len(s.Actor) + len(s.Product) + len(s.Version) + len(s.Kind) + len(s.Summary)
		for _, r := range s.Requirements {
			size += len(r)
		}
	}
	w := newCacheWriter(indexMagic, indexVersion, size+32)
	w.hash(idx.Head)
	w.int(len(idx.Records))
	w.int(reqs)
	for _, s := range idx.Records {
		w.str(s.ID)
		w.time(s.Time)
		w.str(s.Actor)
		w.str(s.Product)
		w.str(s.Version)
		w.str(s.Kind)
		w.strs(s.Requirements)
		w.str(s.Summary)
	}
	return w.bytes()
}

// decodeIndex reads an index file; nil means the file is not one whole.
// The summaries' requirements share one array, each its own part of it.
func decodeIndex(file []byte) *index {
	r := openCache(file, indexMagic, indexVersion)
	if r == nil {
		return nil
	}
	idx := &index{Head: r.hash(), Records: make([]Summary, r.count(minSummarySize))}
	reqs := make([]string, 0, r.count(1))
	for i := range idx.Records {
		s := &idx.Records[i]
		s.ID, s.Time, s.Actor, s.Product, s.Version, s.Kind = r.str(), r.time(), r.str(), r.str(), r.str(), r.str()
		n := r.count(1)
		if r.bad || n > cap(reqs)-len(reqs) {
			return nil
		}
		for range n {
			reqs = append(reqs, r.str())
		}
		if n > 0 {
			s.Requirements = reqs[len(reqs)-n : len(reqs) : len(reqs)]
		}
		s.Summary = r.str()
	}
	if !r.ok() {
		return nil
	}
	return idx
}

// maxIndexWalk bounds how many commits an index is brought forward by;
// past that, the records are read from the head's tree.
const maxIndexWalk = 5000

func (l *Ledger) indexPath() string {
	return filepath.Join(l.GitDir(), "sdlkit", "index-"+strings.TrimPrefix(l.branch.Short(), "refs/heads/")+".bin")
}

// Summaries returns the index of the records at the head, sorted by time
// then id, reading the cache and the commits since it when it can.
func (l *Ledger) Summaries(ctx context.Context) ([]Summary, plumbing.Hash, error) {
	head, err := l.Head()
	if err != nil {
		return nil, head, err
	}
	idx := l.readIndex()
	if idx == nil || idx.Head != head {
		next, err := l.advance(ctx, idx, head)
		if err != nil {
			return nil, head, err
		}
		idx = next
		l.writeIndex(idx)
	}
	return idx.Records, head, nil
}

func (l *Ledger) readIndex() *index {
	data, err := os.ReadFile(l.indexPath())
	if err != nil {
		return nil
	}
	return decodeIndex(data)
}

// writeIndex writes the cache; a failure only costs the next read time.
// It removes the gob the index was before version 2.
func (l *Ledger) writeIndex(idx *index) {
	p := l.indexPath()
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	_ = atomicfile.WriteFile(p, idx.encode())
	_ = os.Remove(strings.TrimSuffix(p, ".bin") + ".gob")
}

// advance brings idx forward to head through the commits between them, or
// builds a new index from head's tree when idx is missing or not an
// ancestor within maxIndexWalk commits.
func (l *Ledger) advance(ctx context.Context, idx *index, head plumbing.Hash) (*index, error) {
	if idx != nil {
		var path []*object.Commit
		h := head
		for i := 0; i < maxIndexWalk && h != idx.Head; i++ {
			c, err := l.commit(h)
			if err != nil || len(c.ParentHashes) != 1 {
				path = nil
				break
			}
			path = append(path, c)
			h = c.ParentHashes[0]
		}
		if h == idx.Head && path != nil {
			return l.applyCommits(ctx, idx, head, path)
		}
	}
	return l.indexTree(ctx, head)
}

func (l *Ledger) applyCommits(ctx context.Context, idx *index, head plumbing.Hash, path []*object.Commit) (*index, error) {
	recs := slices.Clone(idx.Records)
	trees := newTreeReader(l.readTree)
	for i := len(path) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := path[i]
		parent, err := l.commit(c.ParentHashes[0])
		if err != nil {
			return nil, err
		}
		var changes []change
		if err := trees.diff(parent.TreeHash, c.TreeHash, "", &changes); err != nil {
			return nil, err
		}
		for _, ch := range changes {
			id, ok := recordID(ch.path)
			if !ok {
				continue
			}
			recs = slices.DeleteFunc(recs, func(s Summary) bool { return s.ID == id })
			if ch.to.IsZero() {
				continue
			}
			r, err := l.readRecord(ch.to, ch.path)
			if err != nil {
				return nil, err
			}
			recs = append(recs, summarize(r))
		}
	}
	sortSummaries(recs)
	return &index{Head: head, Records: recs}, nil
}

// indexTree reads every record of head's tree. With no cache, reading
// and parsing the records is what status costs (about 70 µs of CPU a
// record, half inflating, half parsing and checking), so a few goroutines
// share it.
func (l *Ledger) indexTree(ctx context.Context, head plumbing.Hash) (*index, error) {
	type file struct {
		path string
		blob plumbing.Hash
	}
	var files []file
	err := l.walkRecords(ctx, head, func(path string, h plumbing.Hash) error {
		files = append(files, file{path, h})
		return nil
	})
	if err != nil {
		return nil, err
	}
	recs := make([]Summary, len(files))
	errs := make([]error, len(files))
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), 4) {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				r, err := l.readRecord(files[i].blob, files[i].path)
				if err == nil {
					err = ctx.Err()
				}
				if err != nil {
					errs[i] = err
					failed.Store(true)
					return
				}
				recs[i] = summarize(r)
			}
		})
	}
	wg.Wait()
	// The first failure in the tree's order, as a serial read reports it.
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	sortSummaries(recs)
	return &index{Head: head, Records: recs}, nil
}

func sortSummaries(recs []Summary) {
	slices.SortFunc(recs, func(a, b Summary) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// walkRecords calls fn for every file under records/ in commit's tree.
func (l *Ledger) walkRecords(ctx context.Context, commit plumbing.Hash, fn func(path string, blob plumbing.Hash) error) error {
	c, err := l.commit(commit)
	if err != nil {
		return err
	}
	root, err := c.Tree()
	if err != nil {
		return fmt.Errorf("read ledger tree: %w", err)
	}
	top, err := root.Tree("records")
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read ledger records: %w", err)
	}
	for _, shard := range top.Entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !shard.Mode.IsFile() {
			t, err := object.GetTree(l.checked(), shard.Hash)
			if err != nil {
				return fmt.Errorf("read ledger records/%s: %w", shard.Name, err)
			}
			for _, e := range t.Entries {
				if err := fn("records/"+shard.Name+"/"+e.Name, e.Hash); err != nil {
					return err
				}
			}
			continue
		}
		if err := fn("records/"+shard.Name, shard.Hash); err != nil {
			return err
		}
	}
	return nil
}

// recordID returns the id a record path names.
func recordID(path string) (string, bool) {
	if !strings.HasPrefix(path, "records/") {
		return "", false
	}
	id, ok := strings.CutSuffix(filepath.Base(path), ".json")
	return id, ok && idPattern.MatchString(id) && path == RecordPath(id)
}

// readRecord reads and parses the record blob h found at path.
func (l *Ledger) readRecord(h plumbing.Hash, path string) (*Record, error) {
	data, err := l.readBlob(h, MaxRecordSize)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	r, err := parseRecord(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if id, ok := recordID(path); !ok || id != r.ID {
		return nil, fmt.Errorf("%s: %w: file name does not match id %s", path, ErrInvalidRecord, r.ID)
	}
	return r, nil
}

// Record reads the record whose id starts with prefix (at least 4 hex
// digits) at the head.
func (l *Ledger) Record(ctx context.Context, prefix string) (*Record, error) {
	if len(prefix) < 4 || len(prefix) > 24 || strings.Trim(prefix, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("record id %q: want 4 to 24 lowercase hex digits", prefix)
	}
	head, err := l.Head()
	if err != nil {
		return nil, err
	}
	var found []string
	var blob plumbing.Hash
	err = l.walkShard(head, prefix[:2], func(path string, h plumbing.Hash) {
		if id, ok := recordID(path); ok && strings.HasPrefix(id, prefix) {
			found = append(found, path)
			blob = h
		}
	})
	if err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("record %s: %w", prefix, ErrNotFound)
	case 1:
		return l.readRecord(blob, found[0])
	default:
		return nil, fmt.Errorf("record %s: ambiguous, %d records start with it", prefix, len(found))
	}
}

// ErrNotFound: no record has the id asked for.
var ErrNotFound = errors.New("no such record")

func (l *Ledger) walkShard(commit plumbing.Hash, shard string, fn func(path string, h plumbing.Hash)) error {
	c, err := l.commit(commit)
	if err != nil {
		return err
	}
	root, err := c.Tree()
	if err != nil {
		return err
	}
	t, err := root.Tree("records/" + shard)
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read ledger records/%s: %w", shard, err)
	}
	for _, e := range t.Entries {
		fn("records/"+shard+"/"+e.Name, e.Hash)
	}
	return nil
}

// Filter selects records for Log.
type Filter struct {
	Requirement string
	Version     string
	Product     string
	Kind        string
	Since       time.Time
}

// Match reports whether s passes f.
func (f Filter) Match(s Summary) bool {
	return (f.Requirement == "" || slices.Contains(s.Requirements, f.Requirement)) &&
		(f.Version == "" || s.Version == f.Version) &&
		(f.Product == "" || s.Product == f.Product) &&
		(f.Kind == "" || s.Kind == f.Kind) &&
		(f.Since.IsZero() || !s.Time.Before(f.Since))
}

// Records reads the full records of the summaries at the head, in the
// order given.
func (l *Ledger) Records(ctx context.Context, sums []Summary) ([]*Record, error) {
	root, err := l.headTree()
	if err != nil {
		return nil, err
	}
	out := make([]*Record, 0, len(sums))
	for _, s := range sums {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		path := RecordPath(s.ID)
		e, err := root.FindEntry(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		r, err := l.readRecord(e.Hash, path)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// ReadEvidence reads an evidence file ("sha256:<hex>") at the head, at most
// max bytes, and checks its digest.
func (l *Ledger) ReadEvidence(digest string, max int64) ([]byte, error) {
	if !digestPattern.MatchString(digest) {
		return nil, fmt.Errorf("evidence %q: not a sha256 digest", digest)
	}
	head, err := l.Head()
	if err != nil {
		return nil, err
	}
	data, err := l.readFile(head, EvidencePath(digest), max)
	if err != nil {
		return nil, fmt.Errorf("read evidence %s: %w", digest, err)
	}
	if sha256Hex(data) != digest {
		return nil, fmt.Errorf("read evidence %s: content does not match its digest", digest)
	}
	return data, nil
}

// headTree reads the root tree of the ledger's head.
func (l *Ledger) headTree() (*object.Tree, error) {
	head, err := l.Head()
	if err != nil {
		return nil, err
	}
	c, err := l.commit(head)
	if err != nil {
		return nil, err
	}
	root, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read ledger tree: %w", err)
	}
	return root, nil
}
