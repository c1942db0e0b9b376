package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/practices"
)

// Bounds on what VerifyExport reads whole.
const (
	maxManifest = 64 << 20
	maxProof    = 256 << 20
)

// VerifyExport checks an audit package offline, without the repository:
// every file against export.json (and no file that it does not list); the
// checkpoint's signature with u; the proof, recomputing the checkpoint's
// commit and the trees down to every record and evidence file; every
// record against its format and the exported catalog; every evidence file
// against its digest. Failures are Problems naming the file.
//
// When the package holds export.json.sigstore.json, export.json itself is
// verified with bv, which binds the report and the catalog too; without
// it, a warning says that they are not proven.
func VerifyExport(ctx context.Context, dir string, u Unsealer, bv BlobVerifier) (*Report, error) {
	rep := &Report{Format: VerifyFormat, Problems: []string{}}
	data, err := readlimit.ReadFile(ctx, filepath.Join(dir, exportManifest), readlimit.Kind{Name: "export manifest", Limit: maxManifest})
	if err != nil {
		return nil, err
	}
	var exp Export
	if err := json.Unmarshal(data, &exp); err != nil || exp.Format != ExportFormat {
		return nil, fmt.Errorf("read %q: not an sdlkit audit package (%s)", filepath.Join(dir, exportManifest), ExportFormat)
	}
	rep.Branch, rep.Head = exp.Branch, exp.Head
	ev := &exportVerifier{dir: dir, rep: rep, exp: &exp, files: map[string]ExportFile{}}
	ev.manifestSignature(ctx, data, bv)
	ev.checkFiles()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cat := ev.catalog()
	ev.checkpoint(ctx, u)
	blobs := ev.proof()
	for _, id := range exp.Records {
		ev.record(id, cat, blobs)
	}
	if ev.ok(scopePath) {
		ev.bound(scopePath, blobs)
	}
	rep.Records = len(exp.Records)
	return rep, nil
}

type exportVerifier struct {
	dir   string
	rep   *Report
	exp   *Export
	files map[string]ExportFile
}

func (ev *exportVerifier) problem(file, format string, args ...any) {
	ev.rep.Problems = append(ev.rep.Problems, lineBreaks.Replace(file+": "+fmt.Sprintf(format, args...)))
}

// files checks every listed file's size and digest, and that nothing else
// is in the package.
func (ev *exportVerifier) checkFiles() {
	for _, f := range ev.exp.Files {
		clean := path.Clean(f.Path)
		if clean != f.Path || path.IsAbs(clean) || strings.HasPrefix(clean, "../") || clean == ".." || clean == exportManifest {
			ev.problem(exportManifest, "unsafe or repeated path %q", f.Path)
			continue
		}
		ev.files[f.Path] = f
		fh, err := os.Open(filepath.Join(ev.dir, filepath.FromSlash(f.Path)))
		if err != nil {
			ev.problem(f.Path, "missing (%v)", err)
			continue
		}
		sum, n, err := sha256Reader(fh)
		fh.Close()
		switch {
		case err != nil:
			ev.problem(f.Path, "unreadable: %v", err)
		case n != f.Size || sum != f.Digest:
			ev.problem(f.Path, "does not match export.json (%d bytes, %s; export.json says %d bytes, %s)", n, sum, f.Size, f.Digest)
		default:
			ev.rep.EvidenceFiles++
			ev.rep.EvidenceBytes += n
		}
	}
	_ = filepath.WalkDir(ev.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(ev.dir, p)
		rel = filepath.ToSlash(rel)
		if _, ok := ev.files[rel]; !ok && rel != exportManifest && rel != exportSignature {
			ev.problem(rel, "not listed in export.json")
		}
		return nil
	})
}

// manifestSignature verifies export.json's own signature, if the package
// has one.
func (ev *exportVerifier) manifestSignature(ctx context.Context, manifest []byte, bv BlobVerifier) {
	sig, err := readlimit.ReadFile(ctx, filepath.Join(ev.dir, exportSignature), readlimit.Kind{Name: exportSignature, Limit: maxBundleSize})
	if err != nil {
		ev.rep.Warnings = append(ev.rep.Warnings, "export.json is not signed: report.html and catalog.json are not proven (export with --key or --keyless)")
		return
	}
	if bv == nil {
		ev.problem(exportSignature, "no key or identity to verify it with")
		return
	}
	who, err := bv.VerifyBlob(ctx, manifest, sig)
	if err != nil {
		ev.problem(exportSignature, "%v", err)
		return
	}
	ev.rep.Verified = append(ev.rep.Verified, "export.json signed by "+who)
}

// ok reports whether a listed file was found intact.
func (ev *exportVerifier) ok(name string) bool {
	_, listed := ev.files[name]
	if !listed {
		return false
	}
	for _, p := range ev.rep.Problems {
		if strings.HasPrefix(p, name+": ") {
			return false
		}
	}
	return true
}

func (ev *exportVerifier) read(name string, max int64) []byte {
	if !ev.ok(name) {
		if _, listed := ev.files[name]; !listed {
			ev.problem(name, "missing from the package")
		}
		return nil
	}
	data, err := readlimit.ReadFile(context.Background(), filepath.Join(ev.dir, filepath.FromSlash(name)), readlimit.Kind{Name: name, Limit: max})
	if err != nil {
		ev.problem(name, "%v", err)
		return nil
	}
	return data
}

func (ev *exportVerifier) catalog() *practices.Catalog {
	data := ev.read(exportCatalog, practices.MaxCatalogSize)
	if data == nil {
		return nil
	}
	c, err := practices.Parse(data, exportCatalog)
	if err != nil {
		ev.problem(exportCatalog, "%v", err)
		return nil
	}
	return c
}

// checkpoint verifies the checkpoint bundle and that it seals the head the
// package names.
func (ev *exportVerifier) checkpoint(ctx context.Context, u Unsealer) {
	data := ev.read(exportCheckpoint, maxBundleSize)
	if data == nil {
		return
	}
	pred, signer, err := u.Unseal(ctx, data)
	if err != nil {
		ev.problem(exportCheckpoint, "%v", err)
		return
	}
	cp, err := parseCheckpoint(pred)
	if err != nil {
		ev.problem(exportCheckpoint, "%v", err)
		return
	}
	if cp.Head != ev.exp.Head || cp.Seq != ev.exp.Checkpoint {
		ev.problem(exportCheckpoint, "checkpoint %d seals %s, the package claims checkpoint %d of %s", cp.Seq, cp.Head, ev.exp.Checkpoint, ev.exp.Head)
		return
	}
	ev.rep.Checkpoints = 1
	ev.rep.Verified = append(ev.rep.Verified, fmt.Sprintf("checkpoint %d signed by %s", cp.Seq, signer))
}

// proof recomputes the checkpoint's commit from proof.json and returns a
// lookup from a path to the blob hash its trees give.
func (ev *exportVerifier) proof() func(string) (plumbing.Hash, bool) {
	none := func(string) (plumbing.Hash, bool) { return plumbing.ZeroHash, false }
	data := ev.read(exportProof, maxProof)
	if data == nil {
		return none
	}
	var p proof
	if err := json.Unmarshal(data, &p); err != nil {
		ev.problem(exportProof, "%v", err)
		return none
	}
	if p.Format != "sdlkit.ledger.proof/v1" || p.Head != ev.exp.Head {
		ev.problem(exportProof, "not a proof of %s (format %q, head %q)", ev.exp.Head, p.Format, p.Head)
		return none
	}
	commit := &plumbing.MemoryObject{}
	commit.SetType(plumbing.CommitObject)
	commit.Write(p.Commit)
	if commit.Hash().String() != ev.exp.Head {
		ev.problem(exportProof, "the commit it holds is %s, not the checkpoint's %s", commit.Hash(), ev.exp.Head)
		return none
	}
	var c object.Commit
	if err := c.Decode(commit); err != nil {
		ev.problem(exportProof, "commit: %v", err)
		return none
	}
	trees := map[plumbing.Hash]*object.Tree{}
	for h, raw := range p.Trees {
		obj := &plumbing.MemoryObject{}
		obj.SetType(plumbing.TreeObject)
		obj.Write(raw)
		if obj.Hash().String() != h {
			ev.problem(exportProof, "tree %s does not hash to its name", h)
			return none
		}
		var t object.Tree
		if err := t.Decode(obj); err != nil {
			ev.problem(exportProof, "tree %s: %v", h, err)
			return none
		}
		trees[obj.Hash()] = &t
	}
	return func(p string) (plumbing.Hash, bool) {
		h := c.TreeHash
		parts := strings.Split(p, "/")
		for i, name := range parts {
			t, ok := trees[h]
			if !ok {
				return plumbing.ZeroHash, false
			}
			e := findEntry(t.Entries, name)
			if e == nil || (i < len(parts)-1) != !e.Mode.IsFile() {
				return plumbing.ZeroHash, false
			}
			h = e.Hash
		}
		return h, true
	}
}

// bound checks that a file of the package is the blob the proof's trees
// name at its path.
func (ev *exportVerifier) bound(name string, blobs func(string) (plumbing.Hash, bool)) bool {
	want, ok := blobs(name)
	if !ok {
		ev.problem(name, "not in the checkpoint's tree (proof.json)")
		return false
	}
	f, err := os.Open(filepath.Join(ev.dir, filepath.FromSlash(name)))
	if err != nil {
		ev.problem(name, "%v", err)
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		ev.problem(name, "%v", err)
		return false
	}
	h := plumbing.NewHasher(plumbing.BlobObject, fi.Size())
	if _, err := io.Copy(h, f); err != nil {
		ev.problem(name, "%v", err)
		return false
	}
	if got := h.Sum(); got != want {
		ev.problem(name, "is not the file the checkpoint's tree holds at that path")
		return false
	}
	return true
}

// record checks one exported record: bound to the checkpoint, well-formed,
// of the catalog, of the release, with its evidence present and intact.
func (ev *exportVerifier) record(id string, cat *practices.Catalog, blobs func(string) (plumbing.Hash, bool)) {
	if !idPattern.MatchString(id) {
		ev.problem(exportManifest, "record id %q is not 24 hex digits", id)
		return
	}
	name := RecordPath(id)
	data := ev.read(name, MaxRecordSize)
	if data == nil || !ev.bound(name, blobs) {
		return
	}
	r, err := parseRecord(data)
	if err == nil && r.ID != id {
		err = fmt.Errorf("its id is %s", r.ID)
	}
	if err == nil && cat != nil {
		err = r.checkCatalog(cat)
	}
	if err == nil && (r.Product != ev.exp.Product || (r.Version != ev.exp.Version && r.Version != "")) {
		err = fmt.Errorf("a record of %s %s, not of %s %s", r.Product, r.Version, ev.exp.Product, ev.exp.Version)
	}
	if err != nil {
		ev.problem(name, "%v", err)
		return
	}
	for _, f := range r.Evidence {
		p := EvidencePath(f.Digest)
		ef, listed := ev.files[p]
		switch {
		case !listed:
			ev.problem(name, "names evidence %s (%s) that the package does not hold", f.Name, p)
		case ef.Digest != f.Digest || ef.Size != f.Size:
			ev.problem(p, "is not the evidence record %s names", id)
		default:
			ev.bound(p, blobs)
		}
	}
}

// sha256Reader returns the "sha256:<hex>" digest and size of what r holds.
func sha256Reader(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), n, err
}
