package release

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeTree creates files (slash paths → content) under a new temp dir.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var sampleTree = map[string]string{
	"a/abc.txt":           "abc",
	"bin/app":             strings.Repeat("x", 3<<20+17), // spans several read buffers
	"empty":               "",
	"docs/READ ME ü.md":   "hello",
	"sdlkit-release.json": "old manifest, excluded",
}

func TestBuildAndVerify(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, sampleTree)
	if err := os.Mkdir(filepath.Join(dir, "emptydir"), 0o755); err != nil {
		t.Fatal(err)
	}
	opts := Options{Exclude: []string{filepath.Join(dir, DefaultName), filepath.Join(dir, "not-there.sigstore.json")}}
	m, err := Build(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
	}
	want := []string{"a/abc.txt", "bin/app", "docs/READ ME ü.md", "empty"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("Build() paths (-want +got):\n%s", diff)
	}
	if got := m.Files[0]; got.Digest.SHA256 != abc256 || got.Digest.SHA512 != abc512 || got.Size != 3 {
		t.Errorf("Build() a/abc.txt = %+v", got)
	}
	// Reproducible: another build, with one worker, gives the same bytes.
	m2, err := Build(context.Background(), dir, Options{Exclude: opts.Exclude, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := m.Marshal()
	b2, _ := m2.Marshal()
	if diff := cmp.Diff(string(b1), string(b2)); diff != "" {
		t.Errorf("second Build() differs (-first +second):\n%s", diff)
	}
	report, err := Verify(context.Background(), dir, m, opts)
	if err != nil {
		t.Fatalf("Verify() = %v", err)
	}
	if report.Matched != 4 || report.MatchedBytes != 3+3<<20+17+5 {
		t.Errorf("Verify() report = %+v", report)
	}
}

func TestVerifyFindsEveryDifference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
		want   []Problem
	}{
		{"one byte", func(t *testing.T, dir string) {
			write(t, dir, "bin/app", strings.Repeat("x", 3<<20+16)+"y")
		}, []Problem{{Path: "bin/app", Kind: Modified}}},
		{"truncated", func(t *testing.T, dir string) {
			write(t, dir, "a/abc.txt", "ab")
		}, []Problem{{Path: "a/abc.txt", Kind: Modified, Detail: "size 2, manifest says 3"}}},
		{"missing", func(t *testing.T, dir string) {
			remove(t, dir, "empty")
		}, []Problem{{Path: "empty", Kind: Missing}}},
		{"extra", func(t *testing.T, dir string) {
			write(t, dir, "a/evil.so", "x")
			write(t, dir, "z", "")
		}, []Problem{{Path: "a/evil.so", Kind: Extra}, {Path: "z", Kind: Extra}}},
		{"replaced by symlink", func(t *testing.T, dir string) {
			remove(t, dir, "a/abc.txt")
			if err := os.Symlink("/etc/passwd", filepath.Join(dir, "a", "abc.txt")); err != nil {
				t.Fatal(err)
			}
		}, []Problem{{Path: "a/abc.txt", Kind: Unsupported}}},
		{"excluded file listed as well", func(t *testing.T, dir string) {
			remove(t, dir, "docs/READ ME ü.md")
		}, []Problem{{Path: "docs/READ ME ü.md", Kind: Missing}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeTree(t, sampleTree)
			opts := Options{Exclude: []string{filepath.Join(dir, DefaultName)}}
			m, err := Build(context.Background(), dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			tt.change(t, dir)
			// Excluding a listed file does not hide that it is missing.
			opts.Exclude = append(opts.Exclude, filepath.Join(dir, "docs", "READ ME ü.md"))
			report, err := Verify(context.Background(), dir, m, opts)
			var mismatch *MismatchError
			if !errors.As(err, &mismatch) || !errors.Is(err, ErrMismatch) {
				t.Fatalf("Verify() = %v, want a *MismatchError", err)
			}
			got := report.Problems
			for i := range got {
				if tt.want[min(i, len(tt.want)-1)].Detail == "" {
					got[i].Detail = ""
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Verify() problems (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, mismatch.Problems); diff != "" {
				t.Errorf("MismatchError.Problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMismatchErrorMessage(t *testing.T) {
	t.Parallel()
	err := &MismatchError{Dir: "dist", Problems: []Problem{
		{Path: "a", Kind: Extra}, {Path: "b", Kind: Extra}, {Path: "c", Kind: Extra}, {Path: "d", Kind: Extra},
		{Path: "e", Kind: Modified}, {Path: "f", Kind: Missing},
	}}
	want := `release "dist" does not match its manifest: 1 modified ("e"); 1 missing ("f"); 4 extra ("a", "b", "c" and 1 more)`
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("Error() (-want +got):\n%s", diff)
	}
}

func TestBuildRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		make   func(t *testing.T, dir string)
		want   error
		substr string
	}{
		{"symlink out", func(t *testing.T, dir string) {
			if err := os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")); err != nil {
				t.Fatal(err)
			}
		}, ErrUnsupportedFile, `"passwd": not a regular file (a symbolic link)`},
		{"symlink in", func(t *testing.T, dir string) {
			if err := os.Symlink("a/abc.txt", filepath.Join(dir, "link")); err != nil {
				t.Fatal(err)
			}
		}, ErrUnsupportedFile, "symbolic links are not followed"},
		{"backslash name", func(t *testing.T, dir string) {
			write(t, dir, `a\b`, "x")
		}, ErrUnsafePath, "backslash"},
		{"newline name", func(t *testing.T, dir string) {
			write(t, dir, "a\nb", "x")
		}, ErrUnsafePath, "control character"},
		{"bad utf8 name", func(t *testing.T, dir string) {
			write(t, dir, "a\xffb", "x")
		}, ErrUnsafePath, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeTree(t, map[string]string{"a/abc.txt": "abc"})
			tt.make(t, dir)
			_, err := Build(context.Background(), dir, Options{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Build() = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("Build() = %q, want it to contain %q", err, tt.substr)
			}
		})
	}
}

func TestBuildNotADirectory(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"f": "x"})
	if _, err := Build(context.Background(), filepath.Join(dir, "f"), Options{}); err == nil {
		t.Error("Build(file) succeeded")
	}
	if _, err := Build(context.Background(), filepath.Join(dir, "nope"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Build(missing) = %v, want ErrNotExist", err)
	}
}

func TestVerifyRefusesUnsafeManifest(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"a": "abc"})
	m := &Manifest{Files: []File{{Path: "../etc/passwd", Size: 3, Digest: Digests{SHA256: abc256, SHA512: abc512}}}}
	if _, err := Verify(context.Background(), dir, m, Options{}); !errors.Is(err, ErrUnsafePath) {
		t.Errorf("Verify() = %v, want ErrUnsafePath", err)
	}
}

func TestCanceled(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, sampleTree)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, dir, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Build(canceled) = %v, want context.Canceled", err)
	}
}

func write(t *testing.T, dir, p, content string) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, dir, p string) {
	t.Helper()
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
		t.Fatal(err)
	}
}
