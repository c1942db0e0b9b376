package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// checkOneLine fails t when err's message is not one line: the ledger's
// messages end up in reports and on stderr, one line each.
func checkOneLine(t *testing.T, what string, err error) {
	t.Helper()
	if strings.ContainsAny(err.Error(), "\r\n") {
		t.Fatalf("%s: error is not one line: %q", what, err)
	}
}

// fuzzRecords appends records that use every field to a new ledger and
// returns their files as Append wrote them.
func fuzzRecords(f *testing.F) [][]byte {
	l := newTestLedger(f)
	dir := f.TempDir()
	sbom := writeFile(f, dir, "app.cdx.json", `{"bomFormat":"CycloneDX"}`)
	w := &Writer{Ledger: l, Now: clock()}
	recs, err := w.Append(context.Background(), []Entry{
		{Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SM-9", "SM-6"}, Kind: "sbom", Summary: "SBOM",
			Subject: &Subject{Name: "app", Digest: sha256Hex([]byte("app"))}, Producer: "sdlkit sbom generate",
			Facts: map[string]string{"components": "12"}}, Files: []string{sbom}},
		{Record: Record{Actor: "Bob <bob@example.com>", Requirements: []string{"SR-2"}, Kind: "review", Review: &Decision{Status: "approved", Note: "ok"}}},
	})
	if err != nil {
		f.Fatal(err)
	}
	var files [][]byte
	for _, r := range recs {
		data, err := r.encode()
		if err != nil {
			f.Fatal(err)
		}
		files = append(files, data)
	}
	return files
}

// FuzzParseRecord reads arbitrary bytes as a record file. It may not
// panic; every error is one line wrapping ErrInvalidRecord; a record it
// accepts encodes and reads back as the same record.
func FuzzParseRecord(f *testing.F) {
	for _, data := range fuzzRecords(f) {
		f.Add(data)
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			f.Fatal(err)
		}
		f.Add(compact.Bytes())
	}
	const head = `{"format":"sdlkit.ledger.record/v1","id":"000000000000000000000000","time":"2026-01-01T00:00:00Z","actor":"a","product":"p",`
	f.Add([]byte(head + `"requirements":["SM-1"],"kind":"sbom","extra":1}`))
	f.Add([]byte(head + `"requirements":["SM-1"],"kind":"sbom","subject":{"digest":"md5:00"}}`))
	f.Add([]byte(head + `"requirements":["SM-1"],"kind":"review","review":{"status":"maybe"}}`))
	f.Add([]byte(head + `"requirements":["SM-1"],"kind":"sbom","facts":{"a":1}} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := parseRecord(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidRecord) {
				t.Fatalf("parseRecord: %v, want ErrInvalidRecord", err)
			}
			checkOneLine(t, "parseRecord", err)
			return
		}
		out, err := r.encode()
		if err != nil {
			t.Fatalf("an accepted record does not encode: %v", err)
		}
		again, err := parseRecord(out)
		if err != nil {
			t.Fatalf("an accepted record, encoded, does not read: %v\n%s", err, out)
		}
		if diff := cmp.Diff(r, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("an accepted record reads back as another (-first +again):\n%s", diff)
		}
	})
}

// FuzzParseScope reads arbitrary bytes as a scope file. It may not panic;
// every error is one line wrapping ErrInvalidScope; a scope it accepts
// leaves in scope only requirements of the catalog, and out of scope only
// those it lists.
func FuzzParseScope(f *testing.F) {
	f.Add([]byte("format: sdlkit.scope/v1\nout_of_scope:\n  - requirement: SG-6\n    rationale: no patches are delivered to integrators\n"))
	f.Add([]byte("format: sdlkit.scope/v1\nout_of_scope:\n  - requirement: SM-99\n    rationale: no such requirement\n"))
	f.Add([]byte(`{"format":"sdlkit.scope/v1","out_of_scope":[{"requirement":"SG-6","rationale":"x"},{"requirement":"SG-6","rationale":"y"}]}`))
	f.Add([]byte("format: sdlkit.scope/v1\nout_of_scope: [{requirement: SM-1, rationale: ' '}]\n"))
	f.Add([]byte("format: sdlkit.scope/v1\nout_of_scope: [{requirement: !!int x}]\n"))
	f.Add([]byte("format: sdlkit.scope/v1\n"))
	c := catalog(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseScope(data, c)
		if err != nil {
			if !errors.Is(err, ErrInvalidScope) {
				t.Fatalf("ParseScope: %v, want ErrInvalidScope", err)
			}
			checkOneLine(t, "ParseScope", err)
			return
		}
		in := s.InScope(c)
		for _, id := range in {
			if _, err := c.Requirement(id); err != nil {
				t.Fatalf("in scope: %q is not a requirement of the catalog", id)
			}
			if _, out := s.Rationale(id); out {
				t.Fatalf("%s is both in scope and out of it", id)
			}
		}
		if len(in)+len(s.OutOfScope) != len(c.Requirements) {
			t.Fatalf("%d in scope and %d out of it, of %d requirements", len(in), len(s.OutOfScope), len(c.Requirements))
		}
	})
}

// FuzzParseTree reads arbitrary bytes as a tree object. It may not panic;
// errors are errTreeFormat; a tree it accepts has its entries in strict
// name order, each one of the input's, decoding to the name and hash it
// holds.
func FuzzParseTree(f *testing.F) {
	h := bytes.Repeat([]byte{0xab}, hashSize)
	entry := func(mode, name string) []byte { return append([]byte(mode+" "+name+"\x00"), h...) }
	f.Add(slices.Concat(entry("100644", "a.json"), entry("40000", "b"), entry("100755", "c d")))
	f.Add(slices.Concat(entry("100644", "b"), entry("100644", "a"), entry("100644", "b")))
	f.Add(slices.Concat(entry("0100644", "a"), entry("9", "b")))
	f.Add(entry("100644", "a")[:10])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := parseTree(slices.Clone(data))
		if err != nil {
			if !errors.Is(err, errTreeFormat) {
				t.Fatalf("parseTree: %v, want errTreeFormat", err)
			}
			return
		}
		for i := range tr.len() {
			e, name := tr.decode(i), string(tr.name(i))
			if i > 0 && string(tr.name(i-1)) >= name {
				t.Fatalf("entry %d %q after %q", i, name, tr.name(i-1))
			}
			if e.Name != name || !bytes.HasSuffix(tr.entry(i), e.Hash[:]) || !bytes.Contains(data, tr.entry(i)) {
				t.Fatalf("entry %d: %q decodes to %+v", i, tr.entry(i), e)
			}
		}
		if tr.len() == 0 && len(data) > 0 {
			t.Fatalf("no entries in %d bytes", len(data))
		}
	})
}

// FuzzParseCheckpoint reads arbitrary bytes as a checkpoint predicate. It
// may not panic; errors are one line; a checkpoint it accepts names a
// commit and reads back the same from its JSON.
func FuzzParseCheckpoint(f *testing.F) {
	cp := Checkpoint{Format: CheckpointFormat, Seq: 2, Branch: "sdlkit-ledger", Head: strings.Repeat("ab", 20),
		Previous: sha256Hex([]byte("1")), Records: 3, Product: "app", Time: t0}
	data, err := json.Marshal(cp)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(bytes.Replace(data, []byte(`"seq":2`), []byte(`"seq":0`), 1))
	f.Add(bytes.Replace(data, []byte(`"branch"`), []byte(`"Branch"`), 1))
	f.Add([]byte(`{"format":"sdlkit.ledger.checkpoint/v1","seq":1,"head":"ABABABABABABABABABABABABABABABABABABABAB"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cp, err := parseCheckpoint(data)
		if err != nil {
			checkOneLine(t, "parseCheckpoint", err)
			return
		}
		if cp.Format != CheckpointFormat || cp.Seq < 1 || !isHash(cp.Head) {
			t.Fatalf("accepted %+v", cp)
		}
		out, err := json.Marshal(cp)
		if err != nil {
			t.Fatalf("an accepted checkpoint does not encode: %v", err)
		}
		again, err := parseCheckpoint(out)
		if err != nil {
			t.Fatalf("an accepted checkpoint, encoded, does not read: %v\n%s", err, out)
		}
		if diff := cmp.Diff(cp, again); diff != "" {
			t.Fatalf("an accepted checkpoint reads back as another (-first +again):\n%s", diff)
		}
	})
}

// isHash reports whether s is a git object name: 40 lowercase hex digits.
func isHash(s string) bool {
	return len(s) == 40 && strings.Trim(s, "0123456789abcdef") == ""
}

// FuzzUnverifiedPredicate reads arbitrary bytes as a checkpoint bundle
// without its key, as LatestCheckpoint does. It may not panic; errors are
// one line; and when the key verifies the bundle, the predicate read
// without the key is the one the key verified.
func FuzzUnverifiedPredicate(f *testing.F) {
	key := newTestKey("fuzz")
	cp := Checkpoint{Format: CheckpointFormat, Seq: 1, Branch: "sdlkit-ledger", Head: strings.Repeat("ab", 20), Records: 3, Time: t0}
	bundle := key.sealCheckpoint(f, cp)
	f.Add(bundle)
	f.Add(bytes.Replace(bundle, []byte(`"dsseEnvelope"`), []byte(`"DSSEEnvelope"`), 1))
	f.Add([]byte(`{"dsseEnvelope":{"payload":"e30="}}`))
	f.Add([]byte(`{"dsseEnvelope":{"payload":"!"}}`))
	u := key.Unsealer()
	f.Fuzz(func(t *testing.T, data []byte) {
		pred, err := unverifiedPredicate(data)
		if err != nil {
			checkOneLine(t, "unverifiedPredicate", err)
			return
		}
		if cp, err := parseCheckpoint(pred); err != nil {
			checkOneLine(t, "parseCheckpoint", err)
		} else if cp.Seq < 1 {
			t.Fatalf("accepted %+v", cp)
		}
		verified, _, err := u.Unseal(context.Background(), data)
		if err == nil && !bytes.Equal(verified, pred) {
			t.Fatalf("the predicate read without the key is %s, the key verified %s", pred, verified)
		}
	})
}

// fuzzPackage is an audit package made once: a ledger of two records
// with evidence (and the scope record Init makes), a checkpoint, and the
// signed export of its release.
type fuzzPackage struct {
	dir   string
	key   *testKey
	files []string          // every file, slash-separated, sorted
	data  map[string][]byte // their content
	pred  []byte            // the checkpoint's predicate
	proof proof
}

func newFuzzPackage(f *testing.F) *fuzzPackage {
	ctx := context.Background()
	l := newTestLedger(f)
	key := newTestKey("release-key")
	src := f.TempDir()
	w := &Writer{Ledger: l, Now: clock()}
	sbom := writeFile(f, src, "app.cdx.json", `{"bomFormat":"CycloneDX"}`)
	tests := writeFile(f, src, "tests.txt", "ok  example.com/plc 0.4s\n")
	if _, err := w.Append(ctx, []Entry{
		{Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SM-9"}, Kind: "sbom"}, Files: []string{sbom}},
		{Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SVV-1"}, Kind: "test-report"}, Files: []string{tests}},
	}); err != nil {
		f.Fatal(err)
	}
	sealed, err := w.Checkpoint(ctx, key)
	if err != nil {
		f.Fatal(err)
	}
	dir := filepath.Join(f.TempDir(), "audit")
	if _, err := l.Export(ctx, dir, ExportOptions{Product: "app", Version: "1.0.0", Report: []byte("<!doctype html><title>r</title>\n"), Now: t0, Signer: key}); err != nil {
		f.Fatal(err)
	}
	p := &fuzzPackage{dir: dir, key: key, data: map[string][]byte{}}
	if p.pred, err = unverifiedPredicate(sealed.Bundle); err != nil {
		f.Fatal(err)
	}
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		p.files = append(p.files, rel)
		p.data[rel], err = os.ReadFile(path)
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	slices.Sort(p.files)
	if err := json.Unmarshal(p.data[exportProof], &p.proof); err != nil {
		f.Fatal(err)
	}
	rep, err := VerifyExport(ctx, dir, key.Unsealer(), key)
	if err != nil || !rep.OK() || rep.Records != 3 {
		f.Fatalf("the package does not verify: %+v, %v", rep, err)
	}
	return p
}

// bound reports whether the checkpoint's tree holds a file of the
// package, so that any change to its bytes must fail verification.
func bound(name string) bool {
	return name == scopePath || strings.HasPrefix(name, "records/") || strings.HasPrefix(name, "evidence/")
}

// FuzzVerifyExport replaces one file of a real audit package with
// arbitrary bytes and verifies the package. VerifyExport may not panic;
// it returns an error or a report, whose problems are one line each. With
// export.json signed, any change fails. With export.json rewritten to
// list the changed file and left unsigned, as someone between supplier
// and assessor could, a changed record, evidence file or scope still
// fails, and the package verifies only with the proof and the checkpoint
// predicate it was made with.
func FuzzVerifyExport(f *testing.F) {
	p := newFuzzPackage(f)
	for i, name := range p.files {
		for _, relist := range []bool{false, true} {
			f.Add(uint8(i), p.data[name], relist)
		}
		f.Add(uint8(i), append(slices.Clone(p.data[name]), ' '), true)
	}
	// A manifest that names what it lists with line breaks, to forge lines
	// of the report.
	var e Export
	if err := json.Unmarshal(p.data[exportManifest], &e); err != nil {
		f.Fatal(err)
	}
	e.Head += "\nverified: ok"
	e.Files = append(e.Files, ExportFile{Path: "notes\nverified: ok"})
	hostile, err := json.Marshal(e)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(slices.Index(p.files, exportManifest)), hostile, false)
	f.Fuzz(func(t *testing.T, which uint8, data []byte, relist bool) {
		name := p.files[int(which)%len(p.files)]
		dir := filepath.Join(t.TempDir(), "audit")
		if err := os.CopyFS(dir, os.DirFS(p.dir)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), data, 0o644); err != nil {
			t.Fatal(err)
		}
		relist = relist && name != exportManifest && name != exportSignature
		if relist {
			relistPackage(t, dir)
		}
		wd := time.AfterFunc(10*time.Second, func() { panic("VerifyExport hangs") })
		rep, err := VerifyExport(context.Background(), dir, p.key.Unsealer(), p.key)
		wd.Stop()
		if (rep == nil) == (err == nil) {
			t.Fatalf("VerifyExport = %v, %v: want a report or an error", rep, err)
		}
		if err != nil {
			checkOneLine(t, "VerifyExport", err)
			return
		}
		for _, problem := range rep.Problems {
			if strings.ContainsAny(problem, "\r\n") {
				t.Fatalf("a problem is not one line: %q", problem)
			}
		}
		changed := !bytes.Equal(data, p.data[name])
		if !rep.OK() || !changed {
			return
		}
		switch {
		case !relist:
			t.Fatalf("%s changed, export.json signed, and the package verifies: %+v", name, rep)
		case bound(name):
			t.Fatalf("%s changed and the package verifies: %+v", name, rep)
		case name == exportProof:
			var pr proof
			if err := json.Unmarshal(data, &pr); err != nil {
				t.Fatalf("the package verifies with a proof.json that does not read: %v", err)
			}
			if !bytes.Equal(pr.Commit, p.proof.Commit) || !maps.EqualFunc(pr.Trees, p.proof.Trees, bytes.Equal) {
				t.Fatalf("the package verifies with another proof: %+v", rep)
			}
		case name == exportCheckpoint:
			pred, _, err := p.key.Unsealer().Unseal(context.Background(), data)
			if err != nil || !bytes.Equal(pred, p.pred) {
				t.Fatalf("the package verifies with another checkpoint (%s, %v): %+v", pred, err, rep)
			}
		case len(rep.Warnings) == 0:
			t.Fatalf("%s changed, export.json unsigned, and no warning: %+v", name, rep)
		}
	})
}

// relistPackage rewrites export.json to match the files and removes its
// signature, as someone who changed a file would.
func relistPackage(t *testing.T, dir string) {
	t.Helper()
	var e Export
	data, err := os.ReadFile(filepath.Join(dir, exportManifest))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{exportManifest, exportSignature} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if e.Files, err = manifestFiles(dir); err != nil {
		t.Fatal(err)
	}
	if data, err = json.Marshal(e); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, exportManifest), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzPackedObject reads a packed object made of any bytes (its type, what
// follows its header, its content, as a delta too) through the ledger's
// own pack reader: an object or an error of one line, never a panic, a
// hang or an allocation past the bounds.
func FuzzPackedObject(f *testing.F) {
	h := plumbing.NewHash("2b24db29e6c5f8f7b005dbe8514fe3c92f26c462")
	f.Add(byte(plumbing.BlobObject), []byte(nil), []byte("hello"))
	f.Add(byte(plumbing.TreeObject), []byte(nil), []byte("100644 a\x00"+strings.Repeat("x", 20)))
	f.Add(byte(plumbing.REFDeltaObject), h[:], []byte{10, 10, 10, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'})
	f.Add(byte(plumbing.REFDeltaObject), h[:], []byte{10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x90, 0x0a})
	f.Add(byte(plumbing.OFSDeltaObject), []byte{0x7f}, []byte{1, 1, 1, 'x'})
	f.Add(byte(plumbing.OFSDeltaObject), bytes.Repeat([]byte{0xff}, 12), []byte{1, 1, 1, 'x'})
	f.Add(byte(0), []byte(nil), []byte(nil))
	f.Fuzz(func(t *testing.T, typ byte, between, content []byte) {
		dir := t.TempDir()
		packs := filepath.Join(dir, "objects", "pack")
		if err := writePack(packs, h, packEntry{typ: plumbing.ObjectType(typ & 7), between: between, content: content}); err != nil {
			t.Skip(err) // the index writer refuses it: nothing to read
		}
		l := &Ledger{objects: filepath.Join(dir, "objects")}
		l.packIndex.dir = packs
		for _, want := range []plumbing.ObjectType{plumbing.BlobObject, plumbing.TreeObject} {
			rd, size, err := l.openPackedWhole(h, want, collisionSHA1)
			if err != nil {
				checkOneLine(t, "open", err)
				continue
			}
			n, err := io.Copy(io.Discard, io.LimitReader(rd, maxResolved+1))
			rd.Close()
			if err == nil && n != size {
				t.Fatalf("read %d bytes of an object of %d without an error", n, size)
			}
			if err == nil {
				t.Fatalf("a forged object named %s read as genuine", h)
			}
			checkOneLine(t, "read", err)
		}
	})
}
