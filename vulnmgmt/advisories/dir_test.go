package advisories

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// copyRecords copies the records of testdata/dirs into dir.
func copyRecords(t testing.TB, dir string, dirs ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range recordsOf(t, dirs...) {
		writeFile(t, dir, f.name, f.data)
	}
}

func symlink(t testing.TB, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func mkfifo(t testing.TB, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
}

// importWithin imports sources into a new store, failing the test when
// the import does not end within 10 seconds (a read that waits on a pipe).
func importWithin(t testing.TB, sources ...Source) (*Info, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		info *Info
		err  error
	}
	done := make(chan result, 1)
	go func() {
		info, err := Import(ctx, t.TempDir(), sources, ImportOptions{Now: testNow})
		done <- result{info, err}
	}()
	select {
	case r := <-done:
		return r.info, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("the import hangs")
		return nil, nil
	}
}

// mkdeep makes depth nested directories named name below dir, with
// openat and mkdirat (their path may be longer than a system call takes),
// and writes data as file in the deepest.
func mkdeep(t testing.TB, dir, name string, depth int, file string, data []byte) {
	t.Helper()
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range depth {
		if err := syscall.Mkdirat(fd, name, 0o755); err != nil {
			t.Fatal(err)
		}
		next, err := syscall.Openat(fd, name, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
		syscall.Close(fd)
		if err != nil {
			t.Fatal(err)
		}
		fd = next
	}
	defer syscall.Close(fd)
	f, err := syscall.Openat(fd, file, syscall.O_WRONLY|syscall.O_CREAT, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(f)
	if _, err := syscall.Write(f, data); err != nil {
		t.Fatal(err)
	}
}

// TestDirectorySource imports directory trees with links, pipes and
// depths that a checkout of an advisory database should not have: the
// import ends, reads what is inside the tree, and lists what it skipped.
func TestDirectorySource(t *testing.T) {
	t.Parallel()
	ghsa := readAll(t, filepath.Join("testdata", "ghsa", "GHSA-jfh8-c2jp-5v3q.json"))
	type skip struct{ entry, reason string }
	tests := []struct {
		name string
		// setup adds to root, which holds the 3 records of psf and
		// rustsec; outside is a directory beside it.
		setup   func(t *testing.T, root, outside string)
		records int
		skipped []skip
	}{
		{name: "hidden directories are skipped", setup: func(t *testing.T, root, _ string) {
			copyRecords(t, filepath.Join(root, ".git", "objects"), "ghsa")
			writeFile(t, root, "notes.txt", []byte("not an advisory"))
		}, records: 3},
		{name: "records in subdirectories", setup: func(t *testing.T, root, _ string) {
			copyRecords(t, filepath.Join(root, "ghsa", "2021"), "ghsa")
		}, records: 10},
		{name: "link to a file inside", setup: func(t *testing.T, root, _ string) {
			symlink(t, "PSF-2023-1.json", filepath.Join(root, "link.json"))
		}, records: 3},
		{name: "link to a file outside", setup: func(t *testing.T, root, outside string) {
			symlink(t, writeFile(t, outside, "GHSA-jfh8-c2jp-5v3q.json", ghsa), filepath.Join(root, "out.json"))
		}, records: 3, skipped: []skip{{"out.json", "outside the directory"}}},
		{name: "relative link climbing out", setup: func(t *testing.T, root, outside string) {
			writeFile(t, outside, "GHSA-jfh8-c2jp-5v3q.json", ghsa)
			symlink(t, filepath.Join("..", filepath.Base(outside), "GHSA-jfh8-c2jp-5v3q.json"), filepath.Join(root, "up.json"))
		}, records: 3, skipped: []skip{{"up.json", "outside the directory"}}},
		{name: "link to a directory outside", setup: func(t *testing.T, root, outside string) {
			copyRecords(t, outside, "ghsa")
			symlink(t, outside, filepath.Join(root, "more"))
			symlink(t, outside, filepath.Join(root, "more.json"))
		}, records: 3, skipped: []skip{{"more.json", "outside the directory"}}},
		{name: "link to a device", setup: func(t *testing.T, root, _ string) {
			symlink(t, "/dev/zero", filepath.Join(root, "zero.json"))
		}, records: 3, skipped: []skip{{"zero.json", "outside the directory"}}},
		{name: "link loop", setup: func(t *testing.T, root, _ string) {
			symlink(t, "loop.json", filepath.Join(root, "loop.json"))
			symlink(t, "b.json", filepath.Join(root, "a.json"))
			symlink(t, "a.json", filepath.Join(root, "b.json"))
		}, records: 3, skipped: []skip{{"a.json", "too many levels of symbolic links"}, {"b.json", "too many levels"}, {"loop.json", "too many levels"}}},
		{name: "directory link loop", setup: func(t *testing.T, root, _ string) {
			if err := os.Mkdir(filepath.Join(root, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			symlink(t, "..", filepath.Join(root, "sub", "up"))
			symlink(t, ".", filepath.Join(root, "self.json"))
		}, records: 3, skipped: []skip{{"self.json", "a directory"}}},
		{name: "dangling link", setup: func(t *testing.T, root, _ string) {
			symlink(t, "gone", filepath.Join(root, "gone.json"))
		}, records: 3, skipped: []skip{{"gone.json", "no such file"}}},
		{name: "named pipe", setup: func(t *testing.T, root, _ string) {
			mkfifo(t, filepath.Join(root, "pipe.json"))
		}, records: 3, skipped: []skip{{"pipe.json", "a named pipe"}}},
		{name: "link to a named pipe with a writer", setup: func(t *testing.T, root, _ string) {
			p := filepath.Join(root, "fifo")
			mkfifo(t, p)
			// A writer that never writes: a reader would wait forever.
			w, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { w.Close() })
			symlink(t, "fifo", filepath.Join(root, "fifo.json"))
		}, records: 3, skipped: []skip{{"fifo.json", "a named pipe"}}},
		{name: "200 levels deep", setup: func(t *testing.T, root, _ string) {
			mkdeep(t, root, "d", 200, "GHSA-jfh8-c2jp-5v3q.json", ghsa)
		}, records: 4},
		{name: "deeper than a path may be long", setup: func(t *testing.T, root, _ string) {
			mkdeep(t, root, strings.Repeat("d", 100), 45, "GHSA-jfh8-c2jp-5v3q.json", ghsa)
		}, records: 3, skipped: []skip{{strings.Repeat("d", 100) + "/", "file name too long"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base := t.TempDir()
			root, outside := filepath.Join(base, "db"), filepath.Join(base, "outside")
			copyRecords(t, root, "psf", "rustsec")
			if err := os.Mkdir(outside, 0o755); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, root, outside)
			info, err := importWithin(t, Source{Path: root})
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if info.Records != tt.records || info.Sources[0].Kind != "directory" {
				t.Errorf("%d records from a %s, want %d from a directory", info.Records, info.Sources[0].Kind, tt.records)
			}
			if len(info.Skipped) != len(tt.skipped) {
				t.Fatalf("skipped %+v, want %v", info.Skipped, tt.skipped)
			}
			for i, want := range tt.skipped {
				got := info.Skipped[i]
				rel, ok := strings.CutPrefix(got.Entry, root+string(filepath.Separator))
				if !ok || !strings.HasPrefix(rel, want.entry) || !strings.Contains(got.Reason, want.reason) {
					t.Errorf("skipped %q: %q; want %s…: …%s…", got.Entry, got.Reason, filepath.Join(root, want.entry), want.reason)
				}
			}
		})
	}
}

// TestDirectoryThroughLink imports a tree named by a symbolic link to it
// (an advisory database checked out elsewhere): its records are read, and
// named by the link's path.
func TestDirectoryThroughLink(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	root := filepath.Join(base, "checkout")
	copyRecords(t, root, "psf", "rustsec")
	mkfifo(t, filepath.Join(root, "pipe.json"))
	link := filepath.Join(base, "advisories")
	symlink(t, root, link)
	info, err := importWithin(t, Source{Path: link})
	if err != nil {
		t.Fatal(err)
	}
	if info.Records != 3 || info.Sources[0].Source != link {
		t.Errorf("%d records from %s, want 3 from %s", info.Records, info.Sources[0].Source, link)
	}
	if len(info.Skipped) != 1 || info.Skipped[0].Entry != filepath.Join(link, "pipe.json") {
		t.Errorf("skipped %+v, want the pipe named through the link", info.Skipped)
	}
}

// TestDirectoryUnreadable imports a tree with a file and a directory that
// cannot be read. Root reads them whatever their mode: run as root, the
// test has nothing to check and says so.
func TestDirectoryUnreadable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("running as root, which reads files and directories of any mode: no unreadable file can be made")
	}
	root := t.TempDir()
	copyRecords(t, root, "psf", "rustsec")
	copyRecords(t, filepath.Join(root, "sub"), "ghsa")
	secret := writeFile(t, root, "secret.json", []byte("{}"))
	for _, p := range []string{secret, filepath.Join(root, "sub")} {
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(p, 0o755) })
	}
	info, err := importWithin(t, Source{Path: root})
	if err != nil {
		t.Fatal(err)
	}
	if info.Records != 3 || info.SkippedTotal != 2 {
		t.Errorf("%d records, %d skipped %+v; want 3 and the file and directory", info.Records, info.SkippedTotal, info.Skipped)
	}
	for _, s := range info.Skipped {
		if !strings.Contains(s.Reason, "permission denied") {
			t.Errorf("skipped %s: %s, want permission denied", s.Entry, s.Reason)
		}
	}
}
