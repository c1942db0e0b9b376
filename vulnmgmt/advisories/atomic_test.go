package advisories

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// manyRecords writes a zip of n records for the test, each the real
// GHSA-wf5p-g6vw-rhxx under the id TEST-<i>: enough for Progress, which is
// called every 1000 records, to be called.
func manyRecords(t testing.TB, n int) string {
	t.Helper()
	files := make([]zipFile, n)
	for i := range files {
		id := fmt.Sprintf("TEST-%05d", i)
		files[i] = zipFile{id + ".json", record(t, id, nil)}
	}
	return writeFile(t, t.TempDir(), fmt.Sprintf("many-%d.zip", n), zipBytes(t, files))
}

// TestImportCancelled cancels imports while they write: the store, its
// info and its file are as before, and nothing is left beside it.
func TestImportCancelled(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		n    int
	}{
		// Progress(1000) is called while the last batch is written,
		// after the whole zip was read.
		{"while the last records are written", 1010},
		{"while the zip is read", 2100},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			mustImport(t, dir, zipSources(t, "ghsa")...)
			before := stateOf(t, dir)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			calls := 0
			_, err := Import(ctx, dir, []Source{{Path: manyRecords(t, tt.n)}}, ImportOptions{Now: testNow.Add(time.Hour), Progress: func(int) {
				calls++
				cancel()
			}})
			if calls == 0 {
				t.Fatal("Progress was never called: nothing was cancelled")
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Import = %v, want context.Canceled", err)
			}
			if diff := cmp.Diff(before, stateOf(t, dir), cmp.AllowUnexported(storeState{})); diff != "" {
				t.Errorf("a cancelled import changed the store (-before +after):\n%s", diff)
			}
			if l := leftovers(t, dir); len(l) != 0 {
				t.Errorf("left behind: %v", l)
			}
		})
	}
}

// TestImportFailingSource imports a good source and one that fails:
// nothing of the good one lands.
func TestImportFailingSource(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	notZip := writeFile(t, tmp, "npm-all.zip", []byte("<html>Access denied</html>"))
	missing := filepath.Join(tmp, "missing")
	unverified, err := OpenSnapshot(exportSnapshot(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		sources []Source
		want    string
	}{
		{"zip, then not a zip", []Source{{Path: exportZip(t, "psf", "rustsec")}, {Path: notZip}}, notZip},
		{"directory, then a missing file", []Source{{Path: filepath.Join("testdata", "psf")}, {Path: missing}}, missing},
		{"zip, then an unverified snapshot", []Source{{Path: exportZip(t, "psf")}, {Path: unverified.Path, Snapshot: unverified}}, unverified.Path},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			mustImport(t, dir, zipSources(t, "ghsa")...)
			before := stateOf(t, dir)
			_, err := Import(context.Background(), dir, tt.sources, ImportOptions{Now: testNow.Add(time.Hour)})
			oneLine(t, err, tt.want)
			if diff := cmp.Diff(before, stateOf(t, dir), cmp.AllowUnexported(storeState{})); diff != "" {
				t.Errorf("a failed import changed the store (-before +after):\n%s", diff)
			}
			if v, _ := openStore(t, dir).Record("PSF-2023-1"); v != nil {
				t.Error("a record of the first source landed")
			}
			if l := leftovers(t, dir); len(l) != 0 {
				t.Errorf("left behind: %v", l)
			}
		})
	}
}

// TestReaderDuringImport opens the store while an import is under way: the
// reader gets the previous store at once (it does not wait for the
// import), one opened before keeps reading the previous store, and one
// opened after reads the new one.
func TestReaderDuringImport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := mustImport(t, dir, zipSources(t, "ghsa")...)
	early := openStore(t, dir)
	inImport, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		_, err := Import(context.Background(), dir, []Source{{Path: exportZip(t, "rustsec")}, {Path: manyRecords(t, 1010)}}, ImportOptions{Now: testNow.Add(time.Hour), Progress: func(int) {
			once.Do(func() {
				close(inImport)
				<-release
			})
		}})
		done <- err
	}()
	<-inImport
	opened := make(chan error, 1)
	go func() {
		s, err := Open(dir)
		if err == nil {
			if diff := cmp.Diff(*old, s.Info()); diff != "" {
				err = fmt.Errorf("reader during the import sees another store (-old +seen):\n%s", diff)
			}
			s.Close()
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(3 * time.Second):
		t.Error("Open waits for the import")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, err := early.Record("RUSTSEC-2020-0071"); got != nil || err != nil {
		t.Errorf("a reader opened before the import reads its records: %v, %v", got.GetId(), err)
	}
	if got, err := early.Lookup("npm", "axios"); len(got) != 1 || err != nil {
		t.Errorf("a reader opened before the import lost its records: %v, %v", idsOf(got), err)
	}
	late := openStore(t, dir)
	if want := old.Records + 2 + 1010; late.Info().Records != want {
		t.Errorf("after the import: %d records, want %d", late.Info().Records, want)
	}
}

// TestConcurrentImports runs two imports into one store at once: one
// waits for the other, and the store holds both.
func TestConcurrentImports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sources := [][]Source{zipSources(t, "ghsa"), zipSources(t, "pypa")}
	var wg sync.WaitGroup
	errs := make([]error, len(sources))
	for i, src := range sources {
		wg.Go(func() { _, errs[i] = Import(context.Background(), dir, src, ImportOptions{Now: testNow}) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	info := openStore(t, dir).Info()
	if info.Records != 7+5 || len(info.Sources) != 2 {
		t.Errorf("%d records from %d sources, want 12 from 2", info.Records, len(info.Sources))
	}
}

// TestStaleCopy imports after an import that crashed and left its copy.
func TestStaleCopy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustImport(t, dir, zipSources(t, "psf")...)
	writeFile(t, dir, FileName+newSuffix, []byte("half a store"))
	info := mustImport(t, dir, zipSources(t, "rustsec")...)
	if info.Records != 3 {
		t.Errorf("%d records, want 3", info.Records)
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("left behind: %v", l)
	}
}

// TestImportNothing imports no source: the store is made, empty, with a
// digest.
func TestImportNothing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "new", "store")
	info := mustImport(t, dir)
	if info.Records != 0 || info.Digest == "" {
		t.Errorf("%+v", info)
	}
	if _, err := os.Stat(Path(dir)); err != nil {
		t.Error(err)
	}
}
