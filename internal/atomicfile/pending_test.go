package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCreateFailsEarly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
		opts             Options
		is               error
	}{
		{"missing directory", filepath.Join(dir, "nodir", "b.json"), `write bundle "` + filepath.Join(dir, "nodir", "b.json") + `": no such file or directory`, Options{Kind: "bundle"}, fs.ErrNotExist},
		{"parent is a file", filepath.Join(dir, "file", "b.json"), "not a directory", Options{}, nil},
		{"path is a directory", filepath.Join(dir, "sub"), `write manifest "` + filepath.Join(dir, "sub") + `": it is a directory`, Options{Kind: "manifest"}, nil},
		{"exists with NoOverwrite", filepath.Join(dir, "file"), "file exists", Options{NoOverwrite: true}, ErrExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Create(tt.path, tt.opts)
			if err == nil {
				p.Abort()
				t.Fatalf("Create(%s) succeeded", tt.path)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), ".tmp-") {
				t.Errorf("Create() = %v, want %q and no temporary name", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Create() = %v, want errors.Is %v", err, tt.is)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("dir holds %d entries, want the 2 it had", len(entries))
	}
}

func TestCommitAndAbort(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, err := Create(filepath.Join(dir, "a.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Create(filepath.Join(dir, "b.json"), Options{Perm: 0o600})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(a.TempPath()), ".a.json.tmp-") || a.Path() != filepath.Join(dir, "a.json") {
		t.Errorf("TempPath() = %s, Path() = %s", a.TempPath(), a.Path())
	}
	a.Write([]byte("A"))
	b.Write([]byte("B"))
	if err := Commit(a, b); err != nil {
		t.Fatal(err)
	}
	a.Abort() // after Commit: nothing
	for name, want := range map[string]string{"a.json": "A", "b.json": "B"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	if fi, _ := os.Stat(filepath.Join(dir, "b.json")); fi.Mode().Perm() != 0o600 {
		t.Errorf("b.json mode %v, want 0600", fi.Mode().Perm())
	}

	c, err := Create(filepath.Join(dir, "c.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("C"))
	c.Abort()
	c.Abort()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("after Abort the dir holds %d entries, want 2", len(entries))
	}
}

// TestCommitNoOverwriteTakesBack checks that when the second of two new
// files appears meanwhile, the first is taken back: nothing is left.
func TestCommitNoOverwriteTakesBack(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	opts := Options{NoOverwrite: true}
	key, err := Create(filepath.Join(dir, "k.key"), opts)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := Create(filepath.Join(dir, "k.pub"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "k.pub"), []byte("someone else's"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Commit(key, pub); !errors.Is(err, ErrExists) {
		t.Fatalf("Commit() = %v, want ErrExists", err)
	}
	assertOnlyFile(t, dir, "k.pub")
}

func TestSamePath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "fw.bin")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, l := range [][2]string{{file, "link.bin"}, {filepath.Join(dir, "real"), "linkdir"}} {
		if err := os.Symlink(l[0], filepath.Join(dir, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(file, filepath.Join(dir, "hard.bin")); err != nil {
		t.Fatal(err)
	}
	j := func(elem ...string) string { return filepath.Join(append([]string{dir}, elem...)...) }
	tests := []struct {
		a, b string
		want bool
	}{
		{file, file, true},
		{file, dir + "/./sub/../fw.bin", true},
		{file, j("link.bin"), true},
		{file, j("hard.bin"), true},
		{j("real", "new.json"), j("linkdir", "new.json"), true},
		{j("real", "new.json"), j("real", "other.json"), false},
		{file, j("real", "fw.bin"), false},
		{file, j("nope.bin"), false},
	}
	for _, tt := range tests {
		if got := SamePath(tt.a, tt.b); got != tt.want {
			t.Errorf("SamePath(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
