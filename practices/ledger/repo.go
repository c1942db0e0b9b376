package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/sdlkit/sdlkit/practices"
)

// DefaultBranch is the branch that holds a ledger.
const DefaultBranch = "sdlkit-ledger"

// Errors callers branch on.
var (
	// ErrNoLedger: the repository has no ledger branch (run init).
	ErrNoLedger = errors.New("no ledger")
	// ErrNotLedger: the branch exists but does not hold a ledger.
	ErrNotLedger = errors.New("not a ledger")
	// ErrExists: init found a ledger already there.
	ErrExists = errors.New("ledger already exists")
)

// Location says where a ledger lives.
type Location struct {
	// Repo is the repository's path (a work tree or a bare repository).
	// Empty means the repository that holds Dir (searched upwards).
	Repo string
	// Dir is where the search for the product's repository starts when
	// Repo is empty; empty means the working directory.
	Dir string
	// Branch is the ledger's branch; empty means DefaultBranch.
	Branch string
}

// String names the location for messages.
func (l Location) String() string {
	if l.Repo != "" {
		return l.Repo
	}
	if l.Dir != "" {
		return l.Dir
	}
	return "."
}

func (l Location) branch() plumbing.ReferenceName {
	if l.Branch == "" {
		return plumbing.NewBranchReferenceName(DefaultBranch)
	}
	return plumbing.NewBranchReferenceName(l.Branch)
}

// Ledger is an open ledger.
type Ledger struct {
	loc     Location
	repo    *git.Repository
	storage *filesystem.Storage
	branch  plumbing.ReferenceName
	catalog *practices.Catalog
	// blobs maps the SHA-256 of evidence stored by this process to the
	// git hash of its blob.
	blobs map[string]plumbing.Hash
	// gitMu serialises openPacked, which goroutines reading records and
	// evidence call (go-git's packfile reader is not safe for concurrent
	// use).
	gitMu sync.Mutex
	// packs reads packed objects for openPacked, made on first use.
	packs *filesystem.ObjectStorage
	// packIndex finds packed objects for openPackedWhole.
	packIndex packIndexes
	// deltas keeps the objects openPackedWhole resolved from deltas.
	deltas deltaCache
	// objects is the directory of the loose objects.
	objects string
	// inflaters holds the zlib readers of loose objects between reads
	// (see openLoose).
	inflaters sync.Pool
	// deflaters holds the zlib writers of writeStored between objects.
	deflaters sync.Pool
	// tree is the editor of the last append, holding the trees it read
	// and wrote, parsed: the next append onto the tree it wrote starts
	// from it instead of reading them back (see editor).
	tree *treeEditor
}

// openRepo opens the repository of loc. create makes a bare repository at
// loc.Repo when nothing is there (init only).
func openRepo(loc Location, create bool) (*git.Repository, error) {
	if loc.Repo == "" {
		dir := loc.Dir
		if dir == "" {
			dir = "."
		}
		r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
		if err != nil {
			return nil, fmt.Errorf("open the repository holding %q: %w (use --ledger PATH for a ledger elsewhere)", dir, err)
		}
		return r, nil
	}
	if create {
		if _, err := os.Stat(loc.Repo); errors.Is(err, os.ErrNotExist) {
			r, err := git.PlainInit(loc.Repo, true)
			if err != nil {
				return nil, fmt.Errorf("create bare repository %q: %w", loc.Repo, err)
			}
			return r, nil
		}
	}
	fi, err := os.Stat(loc.Repo)
	if err != nil {
		return nil, fmt.Errorf("open ledger repository %q: %w", loc.Repo, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open ledger repository %q: not a directory", loc.Repo)
	}
	r, err := git.PlainOpenWithOptions(loc.Repo, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("open ledger repository %q: %w", loc.Repo, err)
	}
	return r, nil
}

func newLedger(loc Location, r *git.Repository, c *practices.Catalog) (*Ledger, error) {
	st, ok := r.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("open ledger %s: repository storage is not a directory", loc)
	}
	l := &Ledger{loc: loc, repo: r, storage: st, branch: loc.branch(), catalog: c, blobs: map[string]plumbing.Hash{}}
	l.objects = filepath.Join(l.GitDir(), "objects")
	l.packIndex.dir = filepath.Join(l.objects, "pack")
	return l, nil
}

// Open opens the ledger at loc, checked against catalog c.
func Open(loc Location, c *practices.Catalog) (*Ledger, error) {
	r, err := openRepo(loc, false)
	if err != nil {
		return nil, err
	}
	l, err := newLedger(loc, r, c)
	if err != nil {
		return nil, err
	}
	head, err := l.Head()
	if err != nil {
		return nil, err
	}
	if head.IsZero() {
		return nil, fmt.Errorf("open ledger %s: %w on branch %s (run 'sdlkit ledger init')", loc, ErrNoLedger, l.branch.Short())
	}
	if _, err := l.Info(); err != nil {
		return nil, err
	}
	return l, nil
}

// Catalog returns the catalog the ledger is checked against.
func (l *Ledger) Catalog() *practices.Catalog { return l.catalog }

// Branch returns the ledger's branch name.
func (l *Ledger) Branch() string { return l.branch.Short() }

// Location returns where the ledger lives.
func (l *Ledger) Location() Location { return l.loc }

// GitDir returns the path of the repository's git directory: for a linked
// worktree, the common directory that holds the refs and objects, as git's
// "rev-parse --git-common-dir" does.
func (l *Ledger) GitDir() string {
	root := l.storage.Filesystem().Root()
	data, err := os.ReadFile(filepath.Join(root, "commondir"))
	if err != nil {
		return root
	}
	dir := strings.TrimSpace(string(data))
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	return filepath.Clean(dir)
}

// Head returns the commit the ledger's branch points at, or the zero hash
// when there is no branch.
func (l *Ledger) Head() (plumbing.Hash, error) {
	ref, err := l.repo.Reference(l.branch, true)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read ledger branch %s: %w", l.branch.Short(), err)
	}
	return ref.Hash(), nil
}

// commit reads a commit of the ledger, checking its hash (see
// readObject).
func (l *Ledger) commit(h plumbing.Hash) (*object.Commit, error) {
	c, _, err := l.commitRaw(h)
	return c, err
}

// commitRaw reads a commit of the ledger as commit does, and returns its
// content as git stores it too.
func (l *Ledger) commitRaw(h plumbing.Hash) (*object.Commit, []byte, error) {
	data, err := l.readObject(h, plumbing.CommitObject, maxCommitSize)
	if err != nil {
		return nil, nil, fmt.Errorf("read ledger commit %s: %w", h, err)
	}
	obj := &plumbing.MemoryObject{}
	obj.SetType(plumbing.CommitObject)
	obj.Write(data)
	c, err := object.DecodeCommit(l.checked(), obj)
	if err != nil {
		return nil, nil, fmt.Errorf("read ledger commit %s: %w", h, err)
	}
	return c, data, nil
}

// refPath is the file of the branch's loose ref.
func (l *Ledger) refPath() string {
	return filepath.Join(l.GitDir(), filepath.FromSlash(l.branch.String()))
}

// GitIdentity returns "Name <email>" from the repository's git config
// (with the user's global config), or "" when none is set.
func (l *Ledger) GitIdentity() string {
	cfg, err := l.repo.ConfigScoped(config.GlobalScope)
	if err != nil || cfg.User.Name == "" {
		return ""
	}
	if cfg.User.Email == "" {
		return cfg.User.Name
	}
	return cfg.User.Name + " <" + cfg.User.Email + ">"
}

// GitConfig returns an option of the repository's git config (with the
// user's global config), or "". subsection may be empty: ("gpg", "ssh",
// "allowedSignersFile") is gpg.ssh.allowedSignersFile.
func (l *Ledger) GitConfig(section, subsection, option string) string {
	cfg, err := l.repo.ConfigScoped(config.GlobalScope)
	if err != nil {
		return ""
	}
	s := cfg.Raw.Section(section)
	if subsection != "" {
		return s.Subsection(subsection).Option(option)
	}
	return s.Option(option)
}

// checkedObjects is the repository's storage with trees and commits read
// through the ledger's own reads (readObject), which check each object's
// git hash: what go-git decodes through it (a commit's tree, the subtrees
// on a path, the trees an append edits) is what the names say, loose or
// packed. Objects written through it are written by writeObject, as
// stored blocks. Blobs are read by go-git; the ledger reads them itself.
type checkedObjects struct {
	*filesystem.Storage
	l *Ledger
}

// checked returns the storage go-git reads the ledger's trees through.
func (l *Ledger) checked() checkedObjects { return checkedObjects{Storage: l.storage, l: l} }

func (s checkedObjects) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	max := int64(maxTreeSize)
	switch t {
	case plumbing.TreeObject:
	case plumbing.CommitObject:
		max = maxCommitSize
	default:
		return s.Storage.EncodedObject(t, h)
	}
	data, err := s.l.readObject(h, t, max)
	if err != nil {
		return nil, err
	}
	obj := &plumbing.MemoryObject{}
	obj.SetType(t)
	obj.Write(data)
	return obj, nil
}

func (s checkedObjects) NewEncodedObject() plumbing.EncodedObject { return &plumbing.MemoryObject{} }

func (s checkedObjects) SetEncodedObject(obj plumbing.EncodedObject) (plumbing.Hash, error) {
	return s.l.writeObject(obj)
}
