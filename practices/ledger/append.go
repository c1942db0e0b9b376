package ledger

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/practices"
)

// MaxEvidenceSize bounds one evidence file. Evidence is streamed into the
// repository, never held in memory; the bound keeps a ledger clonable.
const MaxEvidenceSize = 2 << 30

// Entry is one record to append: the record's fields as the caller knows
// them, and the evidence files to store with it.
type Entry struct {
	Record Record
	// Files are paths of evidence files; each is stored content-addressed
	// and listed in Record.Evidence under its base name.
	Files []string
	// Blobs are evidence held in memory (a scan result a command just
	// made), stored like Files.
	Blobs []Blob
}

// Blob is an evidence file held in memory.
type Blob struct {
	Name      string
	MediaType string // empty: guessed from Name
	Data      []byte
}

// CommitSigner signs the ledger's commits. Sign returns the armored
// signature over a commit's encoding (an OpenPGP or SSH signature, as
// "git verify-commit" reads from the gpgsig header).
type CommitSigner interface {
	Sign(message io.Reader) ([]byte, error)
}

// Writer appends to a ledger. Set the fields before the first Append.
type Writer struct {
	Ledger *Ledger
	// Signer signs each commit when set.
	Signer CommitSigner
	// Now gives the records' time; nil means time.Now.
	Now func() time.Time
}

func (w *Writer) now() time.Time {
	if w.Now != nil {
		return w.Now().UTC().Truncate(time.Second)
	}
	return time.Now().UTC().Truncate(time.Second)
}

// Append stores the evidence files of entries, then commits one record per
// entry on the ledger's branch, and returns the records as written. An
// entry whose record is already in the ledger (same content, same time)
// commits nothing. Nothing is committed when any entry is invalid.
func (w *Writer) Append(ctx context.Context, entries []Entry) ([]Record, error) {
	l := w.Ledger
	info, err := l.Info()
	if err != nil {
		return nil, err
	}
	recs := make([]Record, len(entries))
	for i, e := range entries {
		r, err := w.prepare(ctx, info, e)
		if err != nil {
			return nil, err
		}
		recs[i] = r
	}
	unlock, err := l.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	for attempt := 0; ; attempt++ {
		head, err := l.Head()
		if err != nil {
			return nil, err
		}
		next, err := w.commitRecords(ctx, head, recs)
		if err != nil {
			return nil, err
		}
		if next == head {
			return recs, nil
		}
		err = l.updateRef(head, next)
		if err == nil {
			return recs, nil
		}
		if !errors.Is(err, ErrMoved) || attempt == 3 {
			return nil, err
		}
	}
}

// prepare completes an entry's record and stores its evidence blobs.
func (w *Writer) prepare(ctx context.Context, info *Info, e Entry) (Record, error) {
	r := e.Record
	r.Format = RecordFormat
	if r.Time.IsZero() {
		r.Time = w.now()
	}
	r.Time = r.Time.UTC()
	if r.Product == "" {
		r.Product = info.Product
	}
	if r.Product == "" {
		return Record{}, fmt.Errorf("%w: no product (give one, or init the ledger with --product)", ErrInvalidRecord)
	}
	// Check what can be checked before any evidence is stored: a refused
	// record leaves nothing behind, not even unreferenced blobs.
	if err := r.checkCatalog(w.Ledger.catalog); err != nil {
		return Record{}, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	if r.Review != nil && !slices.Contains(reviewStatuses, r.Review.Status) {
		return Record{}, fmt.Errorf("%w: review status %q, want one of %s", ErrInvalidRecord, r.Review.Status, strings.Join(reviewStatuses, ", "))
	}
	if err := checkStrings(&r); err != nil {
		return Record{}, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	for _, path := range e.Files {
		if err := checkEvidencePath(path); err != nil {
			return Record{}, err
		}
	}
	r.Evidence = nil
	for _, path := range e.Files {
		f, err := w.Ledger.storeEvidence(ctx, path)
		if err != nil {
			return Record{}, err
		}
		r.Evidence = append(r.Evidence, f)
	}
	for _, b := range e.Blobs {
		f, err := w.Ledger.storeBlob(ctx, b)
		if err != nil {
			return Record{}, err
		}
		r.Evidence = append(r.Evidence, f)
	}
	r.ID = ""
	id, err := computeID(r)
	if err != nil {
		return Record{}, err
	}
	r.ID = id
	if err := r.Check(w.Ledger.catalog); err != nil {
		return Record{}, err
	}
	return r, nil
}

// checkEvidencePath refuses what must not become evidence: anything but a
// regular file, and a symbolic link that leads out of the directory it is
// in and out of the working directory (a link in a release folder to
// /etc/shadow would put the secret into a ledger that is pushed).
func checkEvidencePath(path string) error {
	if err := readlimit.CheckRegular(path, "evidence file"); err != nil {
		return err
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > MaxEvidenceSize {
		return fmt.Errorf("evidence file %q: larger than %s", path, readlimit.FormatSize(MaxEvidenceSize))
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return err
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("read evidence file %q: %w", path, err)
	}
	inside := func(dir string) bool {
		dir, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return false
		}
		rel, err := filepath.Rel(dir, target)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	if inside(filepath.Dir(path)) || inside(".") {
		return nil
	}
	return fmt.Errorf("read evidence file %q: a symbolic link to %q, out of its folder and of the working directory", path, target)
}

// storeEvidence streams the regular file at path into the repository as a
// blob and returns its File entry.
func (l *Ledger) storeEvidence(ctx context.Context, path string) (File, error) {
	f, fi, err := readlimit.OpenRegular(path, "evidence file")
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	if fi.Size() > MaxEvidenceSize {
		return File{}, fmt.Errorf("evidence file %q: larger than %s", path, readlimit.FormatSize(MaxEvidenceSize))
	}
	file, err := l.storeEvidenceData(ctx, f, fi.Size(), filepath.Base(path), mediaType(path))
	if err != nil {
		return File{}, fmt.Errorf("store evidence %q: %w", path, err)
	}
	return file, nil
}

// storeBlob stores in-memory evidence and returns its File entry.
func (l *Ledger) storeBlob(ctx context.Context, b Blob) (File, error) {
	typ := b.MediaType
	if typ == "" {
		typ = mediaType(b.Name)
	}
	file, err := l.storeEvidenceData(ctx, bytes.NewReader(b.Data), int64(len(b.Data)), b.Name, typ)
	if err != nil {
		return File{}, fmt.Errorf("store evidence %q: %w", b.Name, err)
	}
	return file, nil
}

var suffixTypes = map[string]string{
	".json":  "application/json",
	".sarif": "application/sarif+json",
	".md":    "text/markdown",
	".txt":   "text/plain",
	".pdf":   "application/pdf",
	".yaml":  "application/yaml",
	".yml":   "application/yaml",
	".html":  "text/html",
}

var compoundTypes = []struct{ suffix, typ string }{
	{".cdx.json", "application/vnd.cyclonedx+json"},
	{".spdx.json", "application/spdx+json"},
	{".sigstore.json", "application/vnd.dev.sigstore.bundle.v0.3+json"},
	{".openvex.json", "application/openvex+json"},
	{".vex.json", "application/openvex+json"},
	{".intoto.jsonl", "application/vnd.in-toto+json"},
}

// mediaType guesses an evidence file's media type from its name.
func mediaType(path string) string {
	name := strings.ToLower(filepath.Base(path))
	for _, c := range compoundTypes {
		if strings.HasSuffix(name, c.suffix) {
			return c.typ
		}
	}
	ext := filepath.Ext(name)
	if t, ok := suffixTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// commitRecords commits recs one by one on top of head and returns the new
// head (head itself when every record was already there).
func (w *Writer) commitRecords(ctx context.Context, head plumbing.Hash, recs []Record) (plumbing.Hash, error) {
	l := w.Ledger
	parent, err := l.commit(head)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	ed := l.editor(parent.TreeHash)
	tip := head
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return plumbing.ZeroHash, err
		}
		changed, err := l.addRecord(ed, r)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if !changed {
			continue
		}
		tree, err := ed.write()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		tip, err = w.writeCommit(tree, []plumbing.Hash{tip}, recordMessage(r), r.Actor, r.Time)
		if err != nil {
			return plumbing.ZeroHash, err
		}
	}
	return tip, nil
}

// editor returns a tree editor on tree: the last append's editor when
// tree is the one it wrote, so that a process appending record after
// record reads each tree on its paths once, not once per record; else a
// new one. An editor left half-way (an append that failed) has a dirty
// root and is not reused.
func (l *Ledger) editor(tree plumbing.Hash) *treeEditor {
	if ed := l.tree; ed != nil && ed.root.hash == tree && !ed.root.dirty {
		return ed
	}
	l.tree = newTreeEditor(l.checked(), tree)
	return l.tree
}

// addRecord adds a record and its evidence blobs to the tree being edited.
func (l *Ledger) addRecord(ed *treeEditor, r Record) (bool, error) {
	for _, f := range r.Evidence {
		h, err := l.evidenceBlob(f)
		if err != nil {
			return false, err
		}
		if _, err := ed.add(EvidencePath(f.Digest), h); err != nil {
			return false, err
		}
	}
	data, err := r.encode()
	if err != nil {
		return false, err
	}
	h, err := l.writeBlob(data)
	if err != nil {
		return false, err
	}
	changed, err := ed.add(RecordPath(r.ID), h)
	if errors.Is(err, errPathTaken) {
		return false, fmt.Errorf("record %s: %w", r.ID, err)
	}
	return changed, err
}

// evidenceBlob finds the blob storeEvidence wrote for f. The blob's git
// hash is recomputed from the stored content, so a record never names a
// blob the repository does not hold.
func (l *Ledger) evidenceBlob(f File) (plumbing.Hash, error) {
	h, ok := l.blobs[f.Digest]
	if !ok {
		return plumbing.ZeroHash, fmt.Errorf("evidence %s (%s) was not stored", f.Name, f.Digest)
	}
	return h, nil
}

func (l *Ledger) writeBlob(data []byte) (plumbing.Hash, error) {
	h, err := l.writeStored(context.Background(), plumbing.BlobObject, bytes.NewReader(data), int64(len(data)), nil)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write blob: %w", err)
	}
	return h, nil
}

// writeCommit writes a commit of tree with parents, signed when w has a
// signer.
func (w *Writer) writeCommit(tree plumbing.Hash, parents []plumbing.Hash, msg, actor string, when time.Time) (plumbing.Hash, error) {
	sig := actorSignature(actor, when)
	return w.storeCommit(w.Ledger.checked(), &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree, ParentHashes: parents})
}

// storeCommit signs c when w has a signer and writes it to st.
func (w *Writer) storeCommit(st storer.EncodedObjectStorer, c *object.Commit) (plumbing.Hash, error) {
	if w.Signer != nil {
		enc := st.NewEncodedObject()
		if err := c.EncodeWithoutSignature(enc); err != nil {
			return plumbing.ZeroHash, err
		}
		rd, err := enc.Reader()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		s, err := w.Signer.Sign(rd)
		rd.Close()
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("sign ledger commit: %w", err)
		}
		c.PGPSignature = string(s)
	}
	obj := st.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := st.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write commit: %w", err)
	}
	return h, nil
}

var actorPattern = regexp.MustCompile(`^(.*?)\s*<([^<>]*)>$`)

// actorSignature turns "Name <email>" (or any name) into a git signature.
func actorSignature(actor string, when time.Time) object.Signature {
	clean := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, actor)
	if m := actorPattern.FindStringSubmatch(clean); m != nil {
		return object.Signature{Name: m[1], Email: m[2], When: when}
	}
	return object.Signature{Name: strings.NewReplacer("<", "", ">", "").Replace(clean), When: when}
}

// recordMessage is a record's commit message: a subject line naming the
// requirements, kind and release, the summary, and a trailer with the id.
func recordMessage(r Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", strings.Join(r.Requirements, ","), r.Kind)
	if r.Product != "" {
		fmt.Fprintf(&b, ": %s", r.Product)
		if r.Version != "" {
			fmt.Fprintf(&b, " %s", r.Version)
		}
	}
	b.WriteString("\n\n")
	if r.Summary != "" {
		b.WriteString(oneLine(r.Summary, 200))
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "Sdlkit-Record: %s\n", r.ID)
	return b.String()
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return s
}

// Info reads the ledger's ledger.json at the head.
func (l *Ledger) Info() (*Info, error) {
	head, err := l.Head()
	if err != nil {
		return nil, err
	}
	if head.IsZero() {
		return nil, fmt.Errorf("open ledger %s: %w", l.loc, ErrNoLedger)
	}
	data, err := l.readFile(head, infoPath, 64<<10)
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: branch %s: %w (no readable %s: %v)", l.loc, l.branch.Short(), ErrNotLedger, infoPath, err)
	}
	var info Info
	if err := json.Unmarshal(data, &info); err != nil || info.Format != InfoFormat {
		return nil, fmt.Errorf("open ledger %s: branch %s: %w (%s is not %s)", l.loc, l.branch.Short(), ErrNotLedger, infoPath, InfoFormat)
	}
	return &info, nil
}

// Scope reads the ledger's SM-5 scope at the head.
func (l *Ledger) Scope() (*Scope, error) {
	head, err := l.Head()
	if err != nil {
		return nil, err
	}
	data, err := l.readFile(head, scopePath, MaxScopeSize)
	if err != nil {
		return nil, fmt.Errorf("read ledger scope: %w", err)
	}
	return ParseScope(data, l.catalog)
}

// readFile reads a file of commit's tree, at most max bytes.
func (l *Ledger) readFile(commit plumbing.Hash, path string, max int64) ([]byte, error) {
	c, err := l.commit(commit)
	if err != nil {
		return nil, err
	}
	t, err := c.Tree()
	if err != nil {
		return nil, err
	}
	e, err := t.FindEntry(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !e.Mode.IsFile() {
		return nil, fmt.Errorf("%s: not a file", path)
	}
	return l.readBlob(e.Hash, max)
}

// InitOptions are what Init writes.
type InitOptions struct {
	Product string
	Scope   *Scope
	Actor   string
	Time    time.Time
}

// Init creates a ledger at loc: an orphan branch holding ledger.json and
// scope.json. With loc.Repo naming a path that does not exist, a bare
// repository is created there.
//
// The scope is also recorded as the first record, SM-5 evidence of kind
// scope-record, so that status counts it like any other evidence.
func Init(ctx context.Context, loc Location, c *practices.Catalog, opts InitOptions, signer CommitSigner) (*Ledger, error) {
	if opts.Product == "" {
		opts.Product = defaultProduct(loc)
	}
	if err := checkStrings(&Record{Product: opts.Product, Actor: opts.Actor}); err != nil {
		return nil, fmt.Errorf("init ledger %s: %w", loc, err)
	}
	l, scopeJSON, when, err := initBranch(ctx, loc, c, opts, signer)
	if err != nil {
		return nil, err
	}
	w := &Writer{Ledger: l, Signer: signer}
	summary := fmt.Sprintf("SM-5 scope of %s: %d of %d requirements in scope", opts.Product,
		len(c.Requirements)-len(opts.scope().OutOfScope), len(c.Requirements))
	_, err = w.Append(ctx, []Entry{{
		Record: Record{Time: when, Actor: opts.actor(), Product: opts.Product, Requirements: []string{"SM-5"}, Kind: "scope-record", Summary: summary},
		Blobs:  []Blob{{Name: scopePath, Data: scopeJSON}},
	}})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// defaultProduct names the product after its repository: the work tree's
// folder, or a bare repository's name without ".git".
func defaultProduct(loc Location) string {
	dir := loc.Repo
	if dir == "" {
		if r, err := git.PlainOpenWithOptions(cmp.Or(loc.Dir, "."), &git.PlainOpenOptions{DetectDotGit: true}); err == nil {
			if wt, err := r.Worktree(); err == nil {
				dir = wt.Filesystem.Root()
			}
		}
	}
	if abs, err := filepath.Abs(cmp.Or(dir, ".")); err == nil {
		dir = abs
	}
	return strings.TrimSuffix(filepath.Base(dir), ".git")
}

func (o InitOptions) scope() *Scope {
	if o.Scope == nil {
		return &Scope{Format: ScopeFormat}
	}
	return o.Scope
}

func (o InitOptions) actor() string {
	if o.Actor == "" {
		return "unknown"
	}
	return o.Actor
}

// initBranch writes the ledger's first commit and creates its branch.
func initBranch(ctx context.Context, loc Location, c *practices.Catalog, opts InitOptions, signer CommitSigner) (*Ledger, []byte, time.Time, error) {
	r, err := openRepo(loc, true)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	l, err := newLedger(loc, r, c)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	unlock, err := l.lock(ctx)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	defer unlock()
	head, err := l.Head()
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	if !head.IsZero() {
		return nil, nil, time.Time{}, fmt.Errorf("init ledger %s: %w on branch %s", loc, ErrExists, l.branch.Short())
	}
	when := opts.Time
	if when.IsZero() {
		when = time.Now()
	}
	when = when.UTC().Truncate(time.Second)
	scope := opts.scope()
	var scopeJSON []byte
	ed := newTreeEditor(l.checked(), plumbing.ZeroHash)
	for path, v := range map[string]any{infoPath: Info{Format: InfoFormat, Product: opts.Product, Created: when}, scopePath: scope} {
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, nil, time.Time{}, err
		}
		data = append(data, '\n')
		if path == scopePath {
			scopeJSON = data
		}
		h, err := l.writeBlob(data)
		if err != nil {
			return nil, nil, time.Time{}, err
		}
		if _, err := ed.add(path, h); err != nil {
			return nil, nil, time.Time{}, err
		}
	}
	tree, err := ed.write()
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	w := &Writer{Ledger: l, Signer: signer}
	msg := fmt.Sprintf("init ledger for %s\n\nSM-5 scope: %d requirement(s) out of scope.\n", opts.Product, len(scope.OutOfScope))
	commit, err := w.writeCommit(tree, nil, msg, opts.actor(), when)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	if err := l.updateRef(plumbing.ZeroHash, commit); err != nil {
		return nil, nil, time.Time{}, err
	}
	return l, scopeJSON, when, nil
}
