package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// ExportFormat identifies an audit package's export.json.
const ExportFormat = "sdlkit.ledger.export/v1"

// Files of an audit package besides records/ and evidence/.
const (
	exportManifest   = "export.json"
	exportProof      = "proof.json"
	exportCatalog    = "catalog.json"
	exportCheckpoint = "checkpoint.sigstore.json"
	exportReport     = "report.html"
	exportSignature  = "export.json.sigstore.json"
)

// ErrExportDir: the export directory exists and is not empty.
var ErrExportDir = errors.New("export directory exists and is not empty")

// ErrNoCheckpoint: an export needs a checkpoint to bind its records to.
var ErrNoCheckpoint = errors.New("the ledger has no checkpoint")

// Export is an audit package's export.json: what it holds and the digest
// of every file.
type Export struct {
	Format  string    `json:"format"`
	Product string    `json:"product"`
	Version string    `json:"version"`
	Branch  string    `json:"branch"`
	Created time.Time `json:"created"`
	// Head is the ledger commit the package's records are proven against:
	// the one the newest checkpoint seals.
	Head       string       `json:"head"`
	Checkpoint int          `json:"checkpoint"`
	Records    []string     `json:"records"`
	Files      []ExportFile `json:"files"`
	// Later counts the release's records made after the newest checkpoint,
	// which the package cannot prove and leaves out.
	Later int `json:"records_after_checkpoint,omitempty"`
}

// ExportFile is one file of an audit package.
type ExportFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	Digest string `json:"digest"`
}

// proof is proof.json: the raw git objects from the checkpoint's commit to
// every exported file, so that a verifier recomputes the commit's hash
// from the files without the repository.
type proof struct {
	Format string            `json:"format"`
	Head   string            `json:"head"`
	Commit []byte            `json:"commit"`
	Trees  map[string][]byte `json:"trees"`
}

// ExportOptions select what Export writes.
type ExportOptions struct {
	Product, Version string
	// Report is the rendered report.html (the caller renders it, with
	// evidence links into the package).
	Report []byte
	Now    time.Time
	// Signer, when set, signs export.json, which binds the files the
	// checkpoint cannot: the report and the catalog.
	Signer BlobSigner
}

// BlobSigner signs a file's bytes, returning a Sigstore bundle.
type BlobSigner interface {
	SignBlob(ctx context.Context, data []byte) ([]byte, error)
}

// BlobVerifier verifies a bundle over a file's bytes and returns who
// signed.
type BlobVerifier interface {
	VerifyBlob(ctx context.Context, data, bundle []byte) (string, error)
}

// Export writes the audit package of a release into dir, which must not
// exist or be empty: the release's records (and those tied to no release)
// as of the newest checkpoint, their evidence files, the catalog and scope
// in force, the checkpoint bundle, the report, the proof that binds the
// records to the checkpoint, and export.json. It is written into a
// temporary directory beside dir and renamed into place.
func (l *Ledger) Export(ctx context.Context, dir string, opts ExportOptions) (*Export, error) {
	if err := CheckExportDir(dir); err != nil {
		return nil, err
	}
	cp, err := l.LatestCheckpoint()
	if err != nil {
		return nil, err
	}
	if cp == nil {
		return nil, fmt.Errorf("export %s: %w (run 'sdlkit ledger checkpoint' first)", opts.Version, ErrNoCheckpoint)
	}
	head := plumbing.NewHash(cp.Checkpoint.Head)
	sums, _, err := l.Summaries(ctx)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(dir)), "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("export to %q: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	x := &exporter{l: l, dir: tmp, trees: map[string][]byte{}}
	exp := &Export{Format: ExportFormat, Product: opts.Product, Version: opts.Version, Branch: l.branch.Short(),
		Created: opts.Now.UTC().Truncate(time.Second), Head: head.String(), Checkpoint: cp.Checkpoint.Seq, Records: []string{}}
	if err := x.begin(head); err != nil {
		return nil, err
	}
	for _, s := range sums {
		if s.Product != opts.Product || (s.Version != opts.Version && s.Version != "") {
			continue
		}
		ok, err := x.record(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			exp.Later++
			continue
		}
		exp.Records = append(exp.Records, s.ID)
	}
	if err := x.rest(cp, opts.Report); err != nil {
		return nil, err
	}
	if exp.Files, err = manifestFiles(tmp); err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(exp, "", "  ")
	if err != nil {
		return nil, err
	}
	data = append(data, '\n')
	if err := os.WriteFile(filepath.Join(tmp, exportManifest), data, 0o644); err != nil {
		return nil, err
	}
	if opts.Signer != nil {
		b, err := opts.Signer.SignBlob(ctx, data)
		if err != nil {
			return nil, fmt.Errorf("sign %s: %w", exportManifest, err)
		}
		if err := os.WriteFile(filepath.Join(tmp, exportSignature), b, 0o644); err != nil {
			return nil, err
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("export to %q: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("export to %q: %w", dir, err)
	}
	return exp, nil
}

// CheckExportDir refuses a directory that exists and is not empty, and a
// path that exists and is not a directory.
func CheckExportDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("export to %q: %w", dir, err)
	case len(entries) > 0:
		return fmt.Errorf("export to %q: %w", dir, ErrExportDir)
	}
	return nil
}

// exporter copies files out of the ledger at one commit and collects the
// trees on their paths.
type exporter struct {
	l     *Ledger
	dir   string
	root  *object.Tree
	head  []byte
	trees map[string][]byte
	seen  map[string]bool
}

func (x *exporter) begin(head plumbing.Hash) error {
	c, raw, err := x.l.commitRaw(head)
	if err != nil {
		return err
	}
	x.head = raw
	if x.root, err = c.Tree(); err != nil {
		return fmt.Errorf("read ledger tree: %w", err)
	}
	x.seen = map[string]bool{}
	return x.copy(scopePath, scopePath)
}

// record exports a record and its evidence; false when the record is not
// in the checkpoint's tree (made after it).
func (x *exporter) record(ctx context.Context, id string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	path := RecordPath(id)
	e, err := x.root.FindEntry(path)
	if err != nil {
		return false, nil
	}
	r, err := x.l.readRecord(e.Hash, path)
	if err != nil {
		return false, err
	}
	if err := x.copy(path, path); err != nil {
		return false, err
	}
	for _, f := range r.Evidence {
		if err := x.copy(EvidencePath(f.Digest), EvidencePath(f.Digest)); err != nil {
			return false, err
		}
	}
	return true, nil
}

// copy writes the file at path of the tree to name in the package, and
// keeps the trees on its path for the proof.
func (x *exporter) copy(path, name string) error {
	if x.seen[path] {
		return nil
	}
	x.seen[path] = true
	t := x.root
	parts := strings.Split(path, "/")
	if err := x.keepTree(t); err != nil {
		return err
	}
	for _, dir := range parts[:len(parts)-1] {
		sub, err := t.Tree(dir)
		if err != nil {
			return fmt.Errorf("export %s: %w", path, err)
		}
		if err := x.keepTree(sub); err != nil {
			return err
		}
		t = sub
	}
	e, err := t.FindEntry(parts[len(parts)-1])
	if err == nil && !e.Mode.IsFile() {
		err = errors.New("not a file")
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	rd, _, err := x.l.openBlob(e.Hash, collisionSHA1)
	if err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	defer rd.Close()
	out := filepath.Join(x.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	w, err := os.OpenFile(out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, rd); err != nil {
		w.Close()
		return fmt.Errorf("export %s: %w", path, err)
	}
	return w.Close()
}

func (x *exporter) keepTree(t *object.Tree) error {
	if _, ok := x.trees[t.Hash.String()]; ok {
		return nil
	}
	raw, err := x.l.readTree(t.Hash)
	if err != nil {
		return err
	}
	x.trees[t.Hash.String()] = raw
	return nil
}

// rest writes the catalog, the checkpoint, the report and the proof.
func (x *exporter) rest(cp *SealedCheckpoint, report []byte) error {
	cat, err := json.MarshalIndent(x.l.catalog, "", "  ")
	if err != nil {
		return err
	}
	pr, err := json.Marshal(proof{Format: "sdlkit.ledger.proof/v1", Head: cp.Checkpoint.Head, Commit: x.head, Trees: x.trees})
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{exportCatalog: append(cat, '\n'), exportCheckpoint: cp.Bundle, exportReport: report, exportProof: pr} {
		if data == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(x.dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// manifestFiles lists every file under dir with its size and digest.
func manifestFiles(dir string) ([]ExportFile, error) {
	var files []ExportFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sum, n, err := sha256Reader(f)
		if err != nil {
			return err
		}
		files = append(files, ExportFile{Path: filepath.ToSlash(rel), Size: n, Digest: sum})
		return nil
	})
	slices.SortFunc(files, func(a, b ExportFile) int { return strings.Compare(a.Path, b.Path) })
	return files, err
}
