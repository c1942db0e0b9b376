package ledger

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Many pipelines write one ledger: each appends to its own copy (made with
// Clone, or Init for the first) and calls Sync, which fetches the remote's
// branch, replays its own new commits onto the remote's head and pushes,
// starting again after a back-off when another pipeline pushed first.
// Records and evidence are files named by their content, so two writers'
// additions never put different content at one path, and a replay loses
// or duplicates no record.

// DefaultRemote is the remote Sync and Clone use when none is named.
const DefaultRemote = "origin"

// DefaultSyncAttempts bounds the fetch, replay and push rounds of one
// Sync: with the back-off, about forty seconds of other writers pushing
// first, which a pipeline had better wait out than fail on.
const DefaultSyncAttempts = 30

// Back-off between rounds: doubling from syncMinBackoff up to
// syncMaxBackoff, each wait drawn from the upper half.
const (
	syncMinBackoff = 50 * time.Millisecond
	syncMaxBackoff = 2 * time.Second
)

// SyncFormat identifies the JSON form of SyncResult.
const SyncFormat = "sdlkit.ledger.sync/v1"

// Errors Sync returns that callers branch on.
var (
	// ErrForeignRemote: the remote's branch is not this ledger: it shares
	// no history with it, or its new commits do more than add files.
	ErrForeignRemote = errors.New("remote branch is not this ledger")
	// ErrNotReplayable: a local commit the remote lacks cannot be replayed
	// onto the remote's head (a checkpoint, or a commit that does more
	// than add records and evidence).
	ErrNotReplayable = errors.New("cannot replay local commits")
	// ErrContended: other writers pushed first in every round.
	ErrContended = errors.New("remote branch kept moving")
)

// SyncOptions tune Sync.
type SyncOptions struct {
	// Remote is the name of the repository's remote; empty means
	// DefaultRemote.
	Remote string
	// URL, when the repository has no remote of that name, adds one that
	// fetches only the ledger's branch. A configured remote must have it
	// among its URLs.
	URL string
	// Auth authenticates to the remote; nil means none, or what the
	// transport finds itself (an SSH agent).
	Auth transport.AuthMethod
	// MaxAttempts bounds the fetch, replay and push rounds; 0 means
	// DefaultSyncAttempts.
	MaxAttempts int
	// Progress, when set, is told each step in a few words.
	Progress func(string)
}

// SyncResult says what Sync did.
type SyncResult struct {
	Format string `json:"format"`
	Remote string `json:"remote"`
	Branch string `json:"branch"`
	// Head is the commit the local branch points at, which the remote's
	// branch holds.
	Head string `json:"head"`
	// Fetched counts the remote's commits the local branch took in.
	Fetched int `json:"fetched"`
	// Replayed counts the local commits written again onto the remote's
	// head; Dropped those left out because the remote held everything
	// they add (the same record appended on both sides).
	Replayed int `json:"replayed"`
	Dropped  int `json:"dropped,omitempty"`
	// Pushed counts the commits the push added to the remote's branch.
	Pushed int `json:"pushed"`
	// Attempts counts the rounds; more than one means other writers
	// pushed first.
	Attempts int `json:"attempts"`
}

// Sync brings the ledger and the remote's copy of its branch together.
// Each round fetches the remote's branch into
// refs/remotes/<remote>/<branch>; replays the local commits the remote
// lacks onto the remote's head (same message, author and committer,
// signed again with w.Signer when set, since a signature covers the
// parent); pushes; and only then moves the local branch. A push is never
// forced: when another writer pushed first, Sync waits a random, growing
// time and starts a new round. A remote without the branch gets it; a
// remote ahead of a ledger with nothing new is fast-forwarded to. A
// round holds the ledger's lock, so appends wait for it.
//
// A local checkpoint the remote lacks is pushed as it is while the remote
// has not moved, and refused with ErrNotReplayable when it has: a
// checkpoint seals the head it was made on, so sync before checkpointing.
// A remote branch with other history is refused with ErrForeignRemote.
// Neither refusal changes the local branch.
func (w *Writer) Sync(ctx context.Context, opts SyncOptions) (*SyncResult, error) {
	name := opts.Remote
	if name == "" {
		name = DefaultRemote
	}
	res, err := w.sync(ctx, name, opts)
	if err != nil {
		return nil, fmt.Errorf("sync ledger with %q: %w", name, err)
	}
	return res, nil
}

func (w *Writer) sync(ctx context.Context, name string, opts SyncOptions) (*SyncResult, error) {
	l := w.Ledger
	rc, err := l.remote(name, opts.URL, opts.Auth)
	if err != nil {
		return nil, err
	}
	maxAttempts := opts.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultSyncAttempts
	}
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	run := &syncRun{w: w, rc: rc, progress: progress, checked: map[plumbing.Hash]bool{}}
	for attempt := 1; ; attempt++ {
		progress(fmt.Sprintf("fetch %s from %s", l.Branch(), name))
		theirs, err := l.fetchBranch(ctx, rc)
		if err != nil {
			return nil, err
		}
		r, err := run.round(ctx, theirs)
		if err != nil {
			return nil, err
		}
		if r.refused == "" {
			return &SyncResult{Format: SyncFormat, Remote: name, Branch: l.Branch(), Head: r.head.String(),
				Fetched: r.fetched, Replayed: r.replayed, Dropped: r.dropped, Pushed: r.pushed, Attempts: attempt}, nil
		}
		if !l.lostRace(ctx, rc, theirs, r.refused) {
			return nil, fmt.Errorf("push %s: the remote refused it: %s", l.Branch(), r.refused)
		}
		if attempt >= maxAttempts {
			return nil, fmt.Errorf("push %s: %w: other writers pushed first %d times (sync again)", l.Branch(), ErrContended, attempt)
		}
		d := syncBackoff(attempt)
		progress(fmt.Sprintf("%s moved; retry in %s", name, d.Round(time.Millisecond)))
		if err := sleepCtx(ctx, d); err != nil {
			return nil, err
		}
	}
}

// roundResult is what one round did.
type roundResult struct {
	head                      plumbing.Hash
	fetched, replayed, pushed int
	dropped                   int
	// refused is the remote's reason for refusing the push; the local
	// branch is then unchanged.
	refused string
}

// syncRun is one Sync's state across its rounds.
type syncRun struct {
	w        *Writer
	rc       *remoteConn
	progress func(string)
	// checked holds the remote's commits found to only add files, so
	// that a round after a lost one does not read them again.
	checked map[plumbing.Hash]bool
}

// round brings the local branch and the remote's head theirs together
// under the ledger's lock: a fast-forward when only the remote moved, a
// push when only the ledger did, and a rebase when both did.
func (run *syncRun) round(ctx context.Context, theirs plumbing.Hash) (roundResult, error) {
	l := run.w.Ledger
	unlock, err := l.lock(ctx)
	if err != nil {
		return roundResult{}, err
	}
	defer unlock()
	ours, err := l.Head()
	switch {
	case err != nil:
		return roundResult{}, err
	case ours == theirs:
		return roundResult{head: ours}, nil
	case theirs.IsZero():
		n, err := l.countFirstParents(ctx, ours)
		if err != nil {
			return roundResult{}, err
		}
		return run.push(ctx, l.storage, theirs, ours, n)
	}
	mine, others, err := run.diverged(ctx, ours, theirs)
	switch {
	case err != nil:
		return roundResult{}, err
	case len(mine) == 0:
		return roundResult{head: theirs, fetched: len(others)}, l.updateRef(ours, theirs)
	case len(others) == 0:
		return run.push(ctx, l.storage, theirs, ours, len(mine))
	}
	return run.rebase(ctx, ours, theirs, mine, len(others))
}

// diverged returns the commits only ours has and those only theirs has,
// newest first, and checks that the remote's only add files.
func (run *syncRun) diverged(ctx context.Context, ours, theirs plumbing.Hash) (mine, others []*object.Commit, err error) {
	l := run.w.Ledger
	if mine, others, err = l.divergence(ctx, ours, theirs); err != nil {
		return nil, nil, err
	}
	for _, c := range others {
		if run.checked[c.Hash] {
			continue
		}
		if _, err := l.additions(c); err != nil {
			return nil, nil, fmt.Errorf("%w: its commit %s %v (verify the remote)", ErrForeignRemote, shortHash(c.Hash), err)
		}
		run.checked[c.Hash] = true
	}
	return mine, others, nil
}

// rebase replays the local commits mine onto theirs in memory, pushes
// them, and only once the remote took them writes them to the repository
// and moves the branch, so that a round another writer wins leaves the
// ledger as it was.
func (run *syncRun) rebase(ctx context.Context, ours, theirs plumbing.Hash, mine []*object.Commit, fetched int) (roundResult, error) {
	l := run.w.Ledger
	ov := newOverlay(l.checked())
	tip, replayed, dropped, err := run.w.replay(ctx, ov, theirs, mine)
	if err != nil {
		return roundResult{}, err
	}
	run.progress(fmt.Sprintf("replayed %d local commit(s) onto %s", replayed, shortHash(theirs)))
	r := roundResult{head: tip, fetched: fetched, replayed: replayed, dropped: dropped}
	if tip != theirs {
		pushed, err := run.push(ctx, ov, theirs, tip, replayed)
		if err != nil || pushed.refused != "" {
			return pushed, err
		}
		if err := ov.flush(); err != nil {
			return roundResult{}, err
		}
		r.pushed = pushed.pushed
	}
	return r, l.updateRef(ours, tip)
}

// push pushes tip, n commits after theirs, reading objects from st.
func (run *syncRun) push(ctx context.Context, st storer.EncodedObjectStorer, theirs, tip plumbing.Hash, n int) (roundResult, error) {
	l := run.w.Ledger
	run.progress(fmt.Sprintf("push %d commit(s) to %s", n, run.rc.name))
	refused, err := l.push(ctx, run.rc, st, theirs, tip)
	if err != nil || refused != "" {
		return roundResult{refused: refused}, err
	}
	l.setTracking(run.rc.name, tip)
	return roundResult{head: tip, pushed: n}, nil
}

// divergence walks the first-parent histories of ours and theirs side by
// side until they meet, and returns the commits only ours has and those
// only theirs has, newest first. It costs the commits since the two
// parted, not the whole history.
func (l *Ledger) divergence(ctx context.Context, ours, theirs plumbing.Hash) (mine, others []*object.Commit, err error) {
	seenOurs := map[plumbing.Hash]int{}
	seenTheirs := map[plumbing.Hash]int{}
	a, b := ours, theirs
	for !a.IsZero() || !b.IsZero() {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if !a.IsZero() {
			if i, ok := seenTheirs[a]; ok {
				return mine, others[:i], nil
			}
			c, err := l.commit(a)
			if err != nil {
				return nil, nil, err
			}
			seenOurs[a] = len(mine)
			mine = append(mine, c)
			a = firstParent(c)
		}
		if !b.IsZero() {
			if i, ok := seenOurs[b]; ok {
				return mine[:i], others, nil
			}
			c, err := l.commit(b)
			if err != nil {
				return nil, nil, err
			}
			seenTheirs[b] = len(others)
			others = append(others, c)
			b = firstParent(c)
		}
	}
	return nil, nil, fmt.Errorf("%w: its branch %s shares no history with the local one", ErrForeignRemote, l.branch.Short())
}

func firstParent(c *object.Commit) plumbing.Hash {
	if len(c.ParentHashes) == 0 {
		return plumbing.ZeroHash
	}
	return c.ParentHashes[0]
}

func (l *Ledger) countFirstParents(ctx context.Context, h plumbing.Hash) (int, error) {
	n := 0
	for ; !h.IsZero(); n++ {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		c, err := l.commit(h)
		if err != nil {
			return 0, err
		}
		h = firstParent(c)
	}
	return n, nil
}

// additions returns the files a commit adds to its parent's tree, or an
// error when it is a merge, changes or deletes a file, or adds one where
// a ledger keeps none.
func (l *Ledger) additions(c *object.Commit) ([]change, error) {
	if len(c.ParentHashes) != 1 {
		return nil, fmt.Errorf("has %d parents, and a ledger's history is linear", len(c.ParentHashes))
	}
	parent, err := l.commit(c.ParentHashes[0])
	if err != nil {
		return nil, err
	}
	var changes []change
	if err := diffTrees(l.readTree, parent.TreeHash, c.TreeHash, "", &changes); err != nil {
		return nil, err
	}
	for _, ch := range changes {
		switch {
		case !ch.from.IsZero() && ch.to.IsZero():
			return nil, fmt.Errorf("deletes %s", ch.path)
		case !ch.from.IsZero():
			return nil, fmt.Errorf("changes %s", ch.path)
		case ch.toMode != filemode.Regular:
			return nil, fmt.Errorf("adds %s, not a regular file", ch.path)
		case !strings.HasPrefix(ch.path, "records/") && !strings.HasPrefix(ch.path, "evidence/") && !strings.HasPrefix(ch.path, checkpointDir):
			return nil, fmt.Errorf("adds %s, which a ledger does not hold", ch.path)
		}
	}
	return changes, nil
}

// replay writes the commits of mine (newest first) again on top of onto,
// oldest first, each adding the same files, into st, and returns the new
// tip. A commit that adds nothing onto's tree lacks is dropped.
func (w *Writer) replay(ctx context.Context, st storer.EncodedObjectStorer, onto plumbing.Hash, mine []*object.Commit) (tip plumbing.Hash, replayed, dropped int, err error) {
	l := w.Ledger
	adds := make([][]change, len(mine))
	for i, c := range mine {
		if adds[i], err = l.additions(c); err != nil {
			return tip, 0, 0, fmt.Errorf("%w: commit %s %v", ErrNotReplayable, shortHash(c.Hash), err)
		}
		for _, ch := range adds[i] {
			if seq, ok := checkpointSeq(ch.path); ok {
				return tip, 0, 0, fmt.Errorf("%w: commit %s adds checkpoint %d, which seals a head the remote has moved past (sync before checkpointing)", ErrNotReplayable, shortHash(c.Hash), seq)
			}
		}
	}
	base, err := l.commit(onto)
	if err != nil {
		return tip, 0, 0, err
	}
	ed := newTreeEditor(st, base.TreeHash)
	tip = onto
	for i := len(mine) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return tip, 0, 0, err
		}
		c, changed := mine[i], false
		for _, ch := range adds[i] {
			added, err := ed.add(ch.path, ch.to)
			if err != nil {
				return tip, 0, 0, fmt.Errorf("%w: commit %s: %v", ErrNotReplayable, shortHash(c.Hash), err)
			}
			changed = changed || added
		}
		if !changed {
			dropped++
			continue
		}
		tree, err := ed.write()
		if err != nil {
			return tip, 0, 0, err
		}
		tip, err = w.storeCommit(st, &object.Commit{Author: c.Author, Committer: c.Committer, Message: c.Message,
			Encoding: c.Encoding, TreeHash: tree, ParentHashes: []plumbing.Hash{tip}})
		if err != nil {
			return tip, 0, 0, err
		}
		replayed++
	}
	return tip, replayed, dropped, nil
}

// overlay keeps the objects a replay writes in memory, over the
// repository it reads the rest from, so that a round another writer wins
// leaves nothing behind; flush writes them once the remote took them.
type overlay struct {
	storer.EncodedObjectStorer
	mem   map[plumbing.Hash]plumbing.EncodedObject
	order []plumbing.Hash
}

func newOverlay(st storer.EncodedObjectStorer) *overlay {
	return &overlay{EncodedObjectStorer: st, mem: map[plumbing.Hash]plumbing.EncodedObject{}}
}

func (o *overlay) NewEncodedObject() plumbing.EncodedObject { return &plumbing.MemoryObject{} }

func (o *overlay) SetEncodedObject(obj plumbing.EncodedObject) (plumbing.Hash, error) {
	h := obj.Hash()
	if _, ok := o.mem[h]; !ok {
		o.mem[h] = obj
		o.order = append(o.order, h)
	}
	return h, nil
}

func (o *overlay) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if obj, ok := o.mem[h]; ok {
		if t != plumbing.AnyObject && obj.Type() != t {
			return nil, plumbing.ErrObjectNotFound
		}
		return obj, nil
	}
	return o.EncodedObjectStorer.EncodedObject(t, h)
}

func (o *overlay) HasEncodedObject(h plumbing.Hash) error {
	if _, ok := o.mem[h]; ok {
		return nil
	}
	return o.EncodedObjectStorer.HasEncodedObject(h)
}

func (o *overlay) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	if obj, ok := o.mem[h]; ok {
		return obj.Size(), nil
	}
	return o.EncodedObjectStorer.EncodedObjectSize(h)
}

// flush writes the objects kept in memory to the repository.
func (o *overlay) flush() error {
	for _, h := range o.order {
		if _, err := o.EncodedObjectStorer.SetEncodedObject(o.mem[h]); err != nil {
			return fmt.Errorf("write replayed object %s: %w", h, err)
		}
	}
	return nil
}

// syncBackoff is the wait after round attempt.
func syncBackoff(attempt int) time.Duration {
	d := min(syncMinBackoff<<min(attempt-1, 10), syncMaxBackoff)
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// shortHash abbreviates a commit hash for messages.
func shortHash(h plumbing.Hash) string { return h.String()[:12] }
