package ledger

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/sdlkit/sdlkit/practices"
)

// CloneOptions say where Clone fetches a ledger from.
type CloneOptions struct {
	// Remote is the name of the repository's remote; empty means
	// DefaultRemote.
	Remote string
	// URL, when the repository has no remote of that name, adds one that
	// fetches only the ledger's branch (see SyncOptions.URL).
	URL string
	// Auth authenticates to the remote.
	Auth transport.AuthMethod
}

// Clone joins a ledger another pipeline created and synced: it fetches
// the ledger's branch from the remote into the repository at loc
// (creating a bare repository at loc.Repo when nothing is there), points
// the local branch at it, and returns the ledger, ready to append to and
// Sync. It fails with ErrExists when loc already has the branch, with
// ErrNoLedger when the remote has none, and with ErrNotLedger when the
// remote's branch holds no ledger.
func Clone(ctx context.Context, loc Location, c *practices.Catalog, opts CloneOptions) (*Ledger, error) {
	name := opts.Remote
	if name == "" {
		name = DefaultRemote
	}
	l, err := clone(ctx, loc, c, name, opts)
	if err != nil {
		return nil, fmt.Errorf("clone ledger from %q: %w", name, err)
	}
	return l, nil
}

func clone(ctx context.Context, loc Location, c *practices.Catalog, name string, opts CloneOptions) (*Ledger, error) {
	r, err := openRepo(loc, true)
	if err != nil {
		return nil, err
	}
	l, err := newLedger(loc, r, c)
	if err != nil {
		return nil, err
	}
	unlock, err := l.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if head, err := l.Head(); err != nil {
		return nil, err
	} else if !head.IsZero() {
		return nil, fmt.Errorf("%w on branch %s of %s", ErrExists, l.branch.Short(), loc)
	}
	rc, err := l.remote(name, opts.URL, opts.Auth)
	if err != nil {
		return nil, err
	}
	theirs, err := l.fetchBranch(ctx, rc)
	if err != nil {
		return nil, err
	}
	if theirs.IsZero() {
		return nil, fmt.Errorf("%w on the remote's branch %s (init it and sync from one pipeline first)", ErrNoLedger, l.branch.Short())
	}
	if err := l.ledgerAt(theirs); err != nil {
		return nil, err
	}
	if err := l.updateRef(plumbing.ZeroHash, theirs); err != nil {
		return nil, err
	}
	return l, nil
}

// ledgerAt checks that commit's tree holds a ledger.json.
func (l *Ledger) ledgerAt(commit plumbing.Hash) error {
	data, err := l.readFile(commit, infoPath, 64<<10)
	if err != nil {
		return fmt.Errorf("the remote's branch %s: %w (no readable %s)", l.branch.Short(), ErrNotLedger, infoPath)
	}
	var info Info
	if err := json.Unmarshal(data, &info); err != nil || info.Format != InfoFormat {
		return fmt.Errorf("the remote's branch %s: %w (%s is not %s)", l.branch.Short(), ErrNotLedger, infoPath, InfoFormat)
	}
	return nil
}
