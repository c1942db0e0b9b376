package advisories

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sdlkit/sdlkit/vulnmgmt/osv"
)

// The real records in testdata (see testdata/README.md): "current" holds
// each database's own version of its records, osv-scanner older or
// differing copies of three of them.
var (
	currentDirs = []string{"ghsa", "go-vulndb", "pypa", "psf", "rustsec"}
	currentN    = 18
)

// testNow is the import time of every test import, so that Info compares.
var testNow = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// zipFile is one entry of a zip built for a test.
type zipFile struct {
	name string
	data []byte
}

// recordsOf lists the advisory files under testdata/dir as entries of an
// osv.dev export: <ID>.json (or .yaml) at the top, in name order.
func recordsOf(t testing.TB, dirs ...string) []zipFile {
	t.Helper()
	var out []zipFile
	for _, dir := range dirs {
		err := filepath.WalkDir(filepath.Join("testdata", dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isAdvisoryName(p) {
				return err
			}
			data, err := os.ReadFile(p)
			out = append(out, zipFile{name: filepath.Base(p), data: data})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no records in testdata/%v", dirs)
	}
	return out
}

// zipBytes builds a zip of files, deflated, in the order given.
func zipBytes(t testing.TB, files []zipFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFile writes data to name in dir and returns its path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// exportZip writes the records of testdata/dirs as one zip export.
func exportZip(t testing.TB, dirs ...string) string {
	t.Helper()
	return writeFile(t, t.TempDir(), strings.Join(dirs, "+")+"-all.zip", zipBytes(t, recordsOf(t, dirs...)))
}

// mustImport imports sources into the store in dir and fails the test on
// an error.
func mustImport(t testing.TB, dir string, sources ...Source) *Info {
	t.Helper()
	info, err := Import(context.Background(), dir, sources, ImportOptions{Now: testNow})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return info
}

// zipSources are one zip Source per testdata dir.
func zipSources(t testing.TB, dirs ...string) []Source {
	var out []Source
	for _, d := range dirs {
		out = append(out, Source{Path: exportZip(t, d)})
	}
	return out
}

// openStore opens the store in dir and closes it when the test ends.
func openStore(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// storeState is what an import must leave untouched when it fails: the
// info, and the bytes of the store file.
type storeState struct {
	info Info
	file string
}

func stateOf(t testing.TB, dir string) storeState {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	info := s.Info()
	s.Close()
	data, err := os.ReadFile(Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return storeState{info: info, file: hex.EncodeToString(sum[:])}
}

// storedJSON returns the JSON the store holds for id.
func storedJSON(t testing.TB, s *Store, id string) []byte {
	t.Helper()
	var data []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		val := tx.Bucket(bucketRecords).Get([]byte(id))
		if val == nil {
			return nil
		}
		var err error
		data, err = recordJSON(val)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// storedIDs lists the ids of every stored record, in order.
func storedIDs(t testing.TB, s *Store) []string {
	t.Helper()
	var ids []string
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRecords).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// idsOf lists the ids of records.
func idsOf(vs []*osv.Vulnerability) []string {
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.GetId())
	}
	return ids
}

// skippedEntries lists the entries of Info.Skipped, each with the part of
// its name after the source's.
func skippedEntries(info *Info) []string {
	var out []string
	for _, s := range info.Skipped {
		_, e, _ := strings.Cut(s.Entry, ".zip:")
		out = append(out, cmp.Or(e, s.Entry))
	}
	slices.Sort(out)
	return out
}

// protojsonMarshal writes a record as OSV JSON.
func protojsonMarshal(v *osv.Vulnerability) ([]byte, error) { return protojson.Marshal(v) }

// leftovers lists the files in dir other than the store and its lock:
// what a failed import must not leave behind.
func leftovers(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != FileName && e.Name() != FileName+lockSuffix {
			out = append(out, e.Name())
		}
	}
	return out
}

// oneLine fails the test unless err is a single line naming every want.
func oneLine(t testing.TB, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one naming %q", want)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("error is not one line: %q", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not name %q", msg, w)
		}
	}
}

// readAll reads the file at p.
func readAll(t testing.TB, p string) []byte {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// exportSnapshot exports a store of the current records to a snapshot
// file and returns its path; sign may be nil.
func exportSnapshot(t testing.TB, sign SignFunc) string {
	t.Helper()
	dir := t.TempDir()
	mustImport(t, dir, zipSources(t, currentDirs...)...)
	p := filepath.Join(t.TempDir(), "snapshot.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Export(context.Background(), dir, f, testNow, sign); err != nil {
		t.Fatal(err)
	}
	return p
}
