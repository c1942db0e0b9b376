package advisories

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// zipFiles reads every entry of the zip at p, in order.
func zipFiles(t testing.TB, p string) []zipFile {
	t.Helper()
	r, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []zipFile
	for _, f := range r.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, zipFile{f.Name, data})
	}
	return out
}

// fakeBundle stands for a Sigstore bundle: this package hands the bundle
// to its caller and never reads it.
var fakeBundle = []byte(`{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}`)

// TestSnapshotRoundTrip exports a store, opens the snapshot and imports
// it: the new store has the same digest, records and bytes.
func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	srcInfo := mustImport(t, src, zipSources(t, append(slices.Clone(currentDirs), "osv-scanner")...)...)
	var signed []byte
	p := filepath.Join(t.TempDir(), "snapshot.zip")
	var buf bytes.Buffer
	m, err := Export(context.Background(), src, &buf, testNow, func(manifest []byte) ([]byte, error) {
		signed = manifest
		return fakeBundle, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Dir(p), filepath.Base(p), buf.Bytes())
	if m.StoreDigest != srcInfo.Digest || len(m.Records) != srcInfo.Records || !m.Created.Equal(testNow) {
		t.Errorf("manifest: digest %s, %d records, created %v; want %s, %d, %v", m.StoreDigest, len(m.Records), m.Created, srcInfo.Digest, srcInfo.Records, testNow)
	}
	if !IsSnapshot(p) {
		t.Error("IsSnapshot = false for a snapshot")
	}
	snap, err := OpenSnapshot(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snap.Manifest, signed) || !bytes.Equal(snap.Bundle, fakeBundle) {
		t.Error("OpenSnapshot does not return the manifest that was signed and its bundle")
	}
	snap.Verified, snap.Signer = true, "release@example.com"
	dst := t.TempDir()
	info := mustImport(t, dst, Source{Path: p, Snapshot: snap})
	if info.Digest != srcInfo.Digest || info.Records != srcInfo.Records || info.Withdrawn != srcInfo.Withdrawn {
		t.Errorf("imported: %s, %d records, %d withdrawn; exported %s, %d, %d", info.Digest, info.Records, info.Withdrawn, srcInfo.Digest, srcInfo.Records, srcInfo.Withdrawn)
	}
	if diff := cmp.Diff(srcInfo.Ecosystems, info.Ecosystems); diff != "" {
		t.Errorf("ecosystems (-exported +imported):\n%s", diff)
	}
	if s := info.Sources[0]; s.Kind != "snapshot" || s.Signer != "release@example.com" || s.Added != srcInfo.Records {
		t.Errorf("source %+v", s)
	}
	a, b := openStore(t, src), openStore(t, dst)
	for _, r := range m.Records {
		if !bytes.Equal(storedJSON(t, a, r.ID), storedJSON(t, b, r.ID)) {
			t.Errorf("%s differs after the round trip", r.ID)
		}
	}
	// Importing it again changes nothing.
	again := mustImport(t, dst, Source{Path: p, Snapshot: snap})
	if again.Digest != srcInfo.Digest || again.Sources[1].Unchanged != srcInfo.Records {
		t.Errorf("second import: %s, %+v", again.Digest, again.Sources[1])
	}
}

// TestSnapshotUnsigned exports without signing: the snapshot has no
// bundle, and imports only when allowed unsigned.
func TestSnapshotUnsigned(t *testing.T) {
	t.Parallel()
	p := exportSnapshot(t, nil)
	snap, err := OpenSnapshot(p)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Bundle != nil {
		t.Error("an unsigned snapshot has a bundle")
	}
	_, err = Import(context.Background(), t.TempDir(), []Source{{Path: p, Snapshot: snap}}, ImportOptions{})
	if !errors.Is(err, ErrUnverified) {
		t.Errorf("unverified import: %v, want ErrUnverified", err)
	}
	oneLine(t, err, p)
	snap.InsecureUnsigned = true
	if info := mustImport(t, t.TempDir(), Source{Path: p, Snapshot: snap}); info.Records != currentN {
		t.Errorf("%d records, want %d", info.Records, currentN)
	}
	if IsSnapshot(exportZip(t, "psf")) || IsSnapshot(writeFile(t, t.TempDir(), "x", []byte("x"))) {
		t.Error("IsSnapshot = true for what is not a snapshot")
	}
}

// manifestOf parses the manifest among files.
func manifestOf(t testing.TB, files []zipFile) (int, SnapshotManifest) {
	t.Helper()
	for i, f := range files {
		if f.name == snapshotManifest {
			var m SnapshotManifest
			if err := json.Unmarshal(f.data, &m); err != nil {
				t.Fatal(err)
			}
			return i, m
		}
	}
	t.Fatal("no manifest")
	return 0, SnapshotManifest{}
}

// editManifest applies edit to the manifest among files; with redigest,
// it then sets the store digest to the records' digest, as a forger
// would.
func editManifest(t testing.TB, files []zipFile, redigest bool, edit func(m *SnapshotManifest)) []zipFile {
	t.Helper()
	i, m := manifestOf(t, files)
	edit(&m)
	if redigest {
		recs := slices.Clone(m.Records)
		slices.SortFunc(recs, func(a, b SnapshotRecord) int { return strings.Compare(a.ID, b.ID) })
		h := sha256.New()
		for _, r := range recs {
			fmt.Fprintf(h, "%s\x00%s\n", r.ID, r.SHA256)
		}
		m.StoreDigest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	files = slices.Clone(files)
	files[i].data = data
	return files
}

// TestSnapshotTampered changes snapshots after they were signed. The
// bundle is not checked here (the caller does that), so a changed manifest
// is caught only by its own consistency; changed records are caught by
// their digests in the manifest. Every case is refused with one line
// naming the snapshot and the entry, and the store is left as it was.
func TestSnapshotTampered(t *testing.T) {
	t.Parallel()
	orig := exportSnapshot(t, func([]byte) ([]byte, error) { return fakeBundle, nil })
	files := zipFiles(t, orig)
	const victim = "records/GHSA-jfh8-c2jp-5v3q.json"
	vi := slices.IndexFunc(files, func(f zipFile) bool { return f.name == victim })
	if vi < 0 {
		t.Fatal("no " + victim)
	}
	without := func(name string) []zipFile {
		return slices.DeleteFunc(slices.Clone(files), func(f zipFile) bool { return f.name == name })
	}
	altered := slices.Clone(files)
	altered[vi].data = bytes.Replace(altered[vi].data, []byte("2.15.0"), []byte("2.99.0"), 1)
	renamed := slices.Clone(files)
	renamed[vi].name = "records/GHSA-0000-0000-0000.json"
	origBytes := readAll(t, orig)
	notOSV := append(slices.Clone(files), zipFile{"records/JUNK-1.json", []byte(`{"hello": "world"}`)})
	junkSum := sha256.Sum256([]byte(`{"hello": "world"}`))
	notOSV = editManifest(t, notOSV, true, func(m *SnapshotManifest) {
		m.Records = append(m.Records, SnapshotRecord{"JUNK-1", hex.EncodeToString(junkSum[:])})
	})
	tests := []struct {
		name  string
		files []zipFile
		raw   []byte // instead of files
		// open: OpenSnapshot fails; otherwise Import does.
		open bool
		want []string
	}{
		{name: "record altered", files: altered, want: []string{victim, "does not match its digest"}},
		{name: "record added", files: append(slices.Clone(files), zipFile{"records/GHSA-0000-0000-0000.json", files[vi].data}), want: []string{"records/GHSA-0000-0000-0000.json", "not in the signed manifest"}},
		{name: "record removed", files: without(victim), want: []string{victim, "not in the snapshot"}},
		{name: "record renamed", files: renamed, want: []string{"records/GHSA-0000-0000-0000.json", "not in the signed manifest"}},
		{name: "record twice", files: append(slices.Clone(files), files[vi]), want: []string{victim, "twice"}},
		{name: "manifest: a record's digest changed", open: true, files: editManifest(t, files, false, func(m *SnapshotManifest) {
			m.Records[0].SHA256 = strings.Repeat("0", 64)
		}), want: []string{snapshotManifest, "store digest"}},
		{name: "manifest: a record's digest and the store digest changed", files: editManifest(t, files, true, func(m *SnapshotManifest) {
			i := slices.IndexFunc(m.Records, func(r SnapshotRecord) bool { return r.ID == "GHSA-jfh8-c2jp-5v3q" })
			m.Records[i].SHA256 = strings.Repeat("0", 64)
		}), want: []string{victim, "does not match its digest"}},
		{name: "manifest: a record dropped, store digest changed", files: editManifest(t, files, true, func(m *SnapshotManifest) {
			m.Records = slices.DeleteFunc(m.Records, func(r SnapshotRecord) bool { return r.ID == "GHSA-jfh8-c2jp-5v3q" })
		}), want: []string{victim, "not in the signed manifest"}},
		{name: "manifest: a record listed twice", open: true, files: editManifest(t, files, true, func(m *SnapshotManifest) {
			m.Records = append(m.Records, m.Records[0])
		}), want: []string{snapshotManifest, "listed twice"}},
		{name: "manifest: store digest changed", open: true, files: editManifest(t, files, false, func(m *SnapshotManifest) {
			m.StoreDigest = "sha256:" + strings.Repeat("0", 64)
		}), want: []string{snapshotManifest, "store digest"}},
		{name: "manifest: other format", open: true, files: editManifest(t, files, false, func(m *SnapshotManifest) {
			m.Format = "https://example.com/v9"
		}), want: []string{"format"}},
		{name: "manifest: not JSON", open: true, files: func() []zipFile {
			f := slices.Clone(files)
			i, _ := manifestOf(t, f)
			f[i].data = []byte("{not json")
			return f
		}(), want: []string{snapshotManifest}},
		{name: "manifest missing", open: true, files: without(snapshotManifest), want: []string{"no " + snapshotManifest}},
		{name: "manifest claims 1 GiB", open: true, raw: rawZip(t, without(snapshotManifest), rawEntry{name: snapshotManifest, method: zip.Store, data: []byte("{}"), size: 1 << 30}), want: []string{snapshotManifest, "limit"}},
		{name: "truncated", open: true, raw: origBytes[:len(origBytes)*2/3], want: []string{"not a valid zip"}},
		{name: "not a zip", open: true, raw: []byte("PK\x03\x04 nothing"), want: []string{"not a valid zip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := tt.raw
			if data == nil {
				data = zipBytes(t, tt.files)
			}
			p := writeFile(t, t.TempDir(), "tampered.zip", data)
			snap, err := OpenSnapshot(p)
			if tt.open {
				oneLine(t, err, append([]string{p}, tt.want...)...)
				return
			}
			if err != nil {
				t.Fatalf("OpenSnapshot: %v", err)
			}
			snap.Verified = true // as if the (unchanged) bundle had been checked
			dir := t.TempDir()
			mustImport(t, dir, zipSources(t, "pypa")...)
			before := stateOf(t, dir)
			_, err = Import(context.Background(), dir, []Source{{Path: p, Snapshot: snap}}, ImportOptions{Now: testNow.Add(time.Hour)})
			oneLine(t, err, append([]string{p}, tt.want...)...)
			if diff := cmp.Diff(before, stateOf(t, dir), cmp.AllowUnexported(storeState{})); diff != "" {
				t.Errorf("a refused snapshot changed the store (-before +after):\n%s", diff)
			}
		})
	}
	// A signed record that is not OSV is skipped like any other: the
	// snapshot is what its signer made.
	t.Run("signed record that is not OSV", func(t *testing.T) {
		t.Parallel()
		p := writeFile(t, t.TempDir(), "junk.zip", zipBytes(t, notOSV))
		snap, err := OpenSnapshot(p)
		if err != nil {
			t.Fatal(err)
		}
		snap.Verified = true
		info := mustImport(t, t.TempDir(), Source{Path: p, Snapshot: snap})
		if info.Records != currentN || info.SkippedTotal != 1 || info.Skipped[0].Entry != p+":records/JUNK-1.json" {
			t.Errorf("%d records, skipped %+v", info.Records, info.Skipped)
		}
	})
}
