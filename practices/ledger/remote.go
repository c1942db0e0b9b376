package ledger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/revlist"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
)

// The remote side of Sync and Clone, all through go-git's transports: a
// fetch with go-git's Fetch, and a push written here on go-git's
// receive-pack session, because go-git's Push walks every object the
// remote's refs reach to find what to send (a cost that grows with the
// ledger, paid by every push), while a ledger's new commits name what they
// add.

// remoteConn is a remote a sync talks to.
type remoteConn struct {
	remote *git.Remote
	name   string
	url    string
	auth   transport.AuthMethod
}

// remote returns the repository's remote called name, adding it with url
// when there is none.
func (l *Ledger) remote(name, url string, auth transport.AuthMethod) (*remoteConn, error) {
	r, err := l.repo.Remote(name)
	if errors.Is(err, git.ErrRemoteNotFound) {
		if url == "" {
			return nil, fmt.Errorf("no remote %q in %s (give its URL)", name, l.loc)
		}
		spec := config.RefSpec(fmt.Sprintf("+%s:%s", l.branch, l.tracking(name)))
		r, err = l.repo.CreateRemote(&config.RemoteConfig{Name: name, URLs: []string{url}, Fetch: []config.RefSpec{spec}})
		if err != nil {
			return nil, fmt.Errorf("add remote %q: %w", name, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read remote %q: %w", name, err)
	}
	urls := r.Config().URLs
	switch {
	case len(urls) == 0:
		return nil, fmt.Errorf("remote %q has no URL", name)
	case url != "" && !slices.Contains(urls, url):
		return nil, fmt.Errorf("remote %q fetches from %s, not %s", name, strings.Join(urls, ", "), url)
	}
	return &remoteConn{remote: r, name: name, url: urls[0], auth: auth}, nil
}

// tracking is the remote-tracking ref of the ledger's branch.
func (l *Ledger) tracking(remote string) plumbing.ReferenceName {
	return plumbing.NewRemoteReferenceName(remote, l.branch.Short())
}

// fetchBranch fetches the remote's ledger branch into its remote-tracking
// ref, as git fetch does, and returns its commit: zero when the remote has
// no such branch.
func (l *Ledger) fetchBranch(ctx context.Context, rc *remoteConn) (plumbing.Hash, error) {
	spec := config.RefSpec(fmt.Sprintf("+%s:%s", l.branch, l.tracking(rc.name)))
	err := rc.remote.FetchContext(ctx, &git.FetchOptions{RemoteName: rc.name, RemoteURL: rc.url,
		RefSpecs: []config.RefSpec{spec}, Auth: rc.auth, Tags: git.NoTags})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
	case errors.Is(err, git.NoMatchingRefSpecError{}), errors.Is(err, transport.ErrEmptyRemoteRepository):
		return plumbing.ZeroHash, nil
	default:
		return plumbing.ZeroHash, fmt.Errorf("fetch %s: %w", l.branch.Short(), err)
	}
	ref, err := l.repo.Reference(l.tracking(rc.name), true)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("fetch %s: %w", l.branch.Short(), err)
	}
	return ref.Hash(), nil
}

// setTracking points the remote-tracking ref at what the remote's branch
// now holds. The ref is a cache of the last fetch: a failure only costs
// the next fetch a few more objects.
func (l *Ledger) setTracking(remote string, h plumbing.Hash) {
	_ = l.repo.Storer.SetReference(plumbing.NewHashReference(l.tracking(remote), h))
}

// push sends the commits of head after theirs, read from st, and asks the
// remote to move its branch from theirs to head: a compare-and-swap the
// server refuses when another writer moved the branch first, never a
// forced update. It returns the server's reason when it refused.
func (l *Ledger) push(ctx context.Context, rc *remoteConn, st storer.EncodedObjectStorer, theirs, head plumbing.Hash) (refused string, err error) {
	sess, ar, err := receivePack(ctx, rc)
	if err != nil {
		return "", fmt.Errorf("push %s: %w", l.branch.Short(), err)
	}
	defer sess.Close()
	if cur, err := advertised(ar, l.branch); err != nil {
		return "", fmt.Errorf("push %s: %w", l.branch.Short(), err)
	} else if cur != theirs {
		return "the branch moved since the fetch", nil
	}
	objects, err := objectsSince(ctx, st, head, theirs)
	if err != nil {
		return "", fmt.Errorf("push %s: %w", l.branch.Short(), err)
	}
	req := packp.NewReferenceUpdateRequestFromCapabilities(ar.Capabilities)
	req.Commands = []*packp.Command{{Name: l.branch, Old: theirs, New: head}}
	rs, err := sendPack(ctx, sess, st, req, objects, !ar.Capabilities.Supports(capability.OFSDelta))
	if err != nil {
		return "", fmt.Errorf("push %s: %w", l.branch.Short(), err)
	}
	if rs == nil {
		// A server without report-status says nothing: read the branch.
		if cur, err := l.remoteHead(ctx, rc); err != nil || cur != head {
			return "no report of the update, and the branch is not at the pushed commit", nil
		}
		return "", nil
	}
	if rs.UnpackStatus != "ok" {
		return "", fmt.Errorf("push %s: the remote could not unpack it: %s", l.branch.Short(), rs.UnpackStatus)
	}
	for _, cs := range rs.CommandStatuses {
		if cs.Status != "ok" {
			return cs.Status, nil
		}
	}
	return "", nil
}

// receivePack opens a push session and reads the remote's refs.
func receivePack(ctx context.Context, rc *remoteConn) (transport.ReceivePackSession, *packp.AdvRefs, error) {
	ep, err := transport.NewEndpoint(rc.url)
	if err != nil {
		return nil, nil, err
	}
	c, err := client.NewClient(ep)
	if err != nil {
		return nil, nil, err
	}
	sess, err := c.NewReceivePackSession(ep, rc.auth)
	if err != nil {
		return nil, nil, err
	}
	ar, err := sess.AdvertisedReferencesContext(ctx)
	if err != nil {
		sess.Close()
		return nil, nil, err
	}
	return sess, ar, nil
}

// advertised returns the commit a remote's advertisement gives name, zero
// when it has no such ref.
func advertised(ar *packp.AdvRefs, name plumbing.ReferenceName) (plumbing.Hash, error) {
	refs, err := ar.AllReferences()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	ref, err := refs.Reference(name)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return ref.Hash(), nil
}

// sendPack streams a packfile of objects with req, as go-git's Push does,
// but without delta compression: pushes are small, and evidence files may
// be too large to hold in memory for a delta search.
func sendPack(ctx context.Context, sess transport.ReceivePackSession, st storer.EncodedObjectStorer, req *packp.ReferenceUpdateRequest, objects []plumbing.Hash, refDeltas bool) (*packp.ReportStatus, error) {
	rd, wr := io.Pipe()
	req.Packfile = rd
	done := make(chan error, 1)
	go func() {
		if _, err := packfile.NewEncoder(wr, st, refDeltas).Encode(objects, 0); err != nil {
			done <- wr.CloseWithError(err)
			return
		}
		done <- wr.Close()
	}()
	rs, err := sess.ReceivePack(ctx, req)
	if rs != nil {
		// err is the report's own summary; the caller reads the report.
		err = nil
	}
	if err != nil {
		rd.CloseWithError(err)
		<-done
		return nil, err
	}
	if err := <-done; err != nil {
		return nil, err
	}
	return rs, nil
}

// objectsSince lists the objects of head's history after theirs: each
// commit, and the trees and blobs it has and its parent has not. With no
// theirs, it lists every object of head's history.
func objectsSince(ctx context.Context, st storer.EncodedObjectStorer, head, theirs plumbing.Hash) ([]plumbing.Hash, error) {
	if theirs.IsZero() {
		return revlist.Objects(st, []plumbing.Hash{head}, nil)
	}
	var out []plumbing.Hash
	seen := map[plumbing.Hash]bool{}
	for h := head; h != theirs; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, err := object.GetCommit(st, h)
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w", h, err)
		}
		if len(c.ParentHashes) == 0 {
			return nil, fmt.Errorf("commit %s does not descend from %s", shortHash(head), shortHash(theirs))
		}
		parent, err := object.GetCommit(st, c.ParentHashes[0])
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w", c.ParentHashes[0], err)
		}
		out = append(out, c.Hash)
		if err := newTreeObjects(st, parent.TreeHash, c.TreeHash, seen, &out); err != nil {
			return nil, err
		}
		h = parent.Hash
	}
	return out, nil
}

// newTreeObjects appends to out tree b and the trees and blobs under it
// that tree a does not have at the same path, descending only into
// subtrees whose hashes differ.
func newTreeObjects(st storer.EncodedObjectStorer, a, b plumbing.Hash, seen map[plumbing.Hash]bool, out *[]plumbing.Hash) error {
	if a == b || seen[b] {
		return nil
	}
	seen[b] = true
	*out = append(*out, b)
	ea, err := treeEntries(st, a)
	if err != nil {
		return err
	}
	eb, err := treeEntries(st, b)
	if err != nil {
		return err
	}
	old := make(map[string]object.TreeEntry, len(ea))
	for _, te := range ea {
		old[te.Name] = te
	}
	for _, te := range eb {
		x, ok := old[te.Name]
		switch {
		case ok && x.Hash == te.Hash, te.Mode == filemode.Submodule, seen[te.Hash]:
		case te.Mode == filemode.Dir:
			var from plumbing.Hash
			if ok && x.Mode == filemode.Dir {
				from = x.Hash
			}
			if err := newTreeObjects(st, from, te.Hash, seen, out); err != nil {
				return err
			}
		default:
			seen[te.Hash] = true
			*out = append(*out, te.Hash)
		}
	}
	return nil
}

// lostRace reports whether a refused push means another writer holds or
// moved the branch: git's receive-pack then says "failed to update ref"
// (go-git passes the reason on only as text), or the branch now reads
// other than theirs.
func (l *Ledger) lostRace(ctx context.Context, rc *remoteConn, theirs plumbing.Hash, refused string) bool {
	for _, s := range []string{"moved", "failed to update ref", "lock"} {
		if strings.Contains(refused, s) {
			return true
		}
	}
	cur, err := l.remoteHead(ctx, rc)
	return err == nil && cur != theirs
}

// remoteHead reads the commit the remote's branch points at.
func (l *Ledger) remoteHead(ctx context.Context, rc *remoteConn) (plumbing.Hash, error) {
	sess, ar, err := receivePack(ctx, rc)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer sess.Close()
	return advertised(ar, l.branch)
}
