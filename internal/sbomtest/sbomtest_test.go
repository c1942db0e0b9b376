package sbomtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// entry is one entry of an archive written for these tests.
type entry struct {
	name, body string
	typ        byte
}

// writeTarGz writes entries as a gzip-compressed tar archive at path.
func writeTarGz(t *testing.T, path string, entries ...entry) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: e.typ}
		if e.typ == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
			h.Linkname = e.body
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// files returns the regular files under dir with their content, by
// slash-separated path.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTree checks that a folder comes out whole: its plain files, the
// archive beside it and an archive inside it unpacked in place, and no
// archive left.
func TestTree(t *testing.T) {
	t.Parallel()
	src := filepath.Join(t.TempDir(), "set")
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "LICENSE"), []byte("license"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeTarGz(t, src+".tar.gz", entry{name: "big/lock.json", body: "big"}, entry{name: "big/", typ: tar.TypeDir})
	writeTarGz(t, filepath.Join(src, "sub", "web.tar.gz"), entry{name: "ui/pnpm-lock.yaml", body: "pnpm"})
	dir := Tree(t, src)
	want := map[string]string{"LICENSE": "license", "big/lock.json": "big", "sub/web/ui/pnpm-lock.yaml": "pnpm"}
	if diff := cmp.Diff(want, files(t, dir)); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	if filepath.Base(dir) != "set" {
		t.Errorf("Tree returned %s, want a folder named set", dir)
	}
	// An archive alone is the folder too.
	if err := os.RemoveAll(src); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"big/lock.json": "big"}, files(t, Tree(t, src))); diff != "" {
		t.Errorf("tree of an archive alone (-want +got):\n%s", diff)
	}
}

func TestUnpack(t *testing.T) {
	t.Parallel()
	archive := filepath.Join(t.TempDir(), "a.tar.gz")
	writeTarGz(t, archive, entry{name: "modcache/cache/download/x/@v/v1.0.0.mod", body: "module x\n"}, entry{name: "graph.txt", body: "a b\n"})
	want := map[string]string{"modcache/cache/download/x/@v/v1.0.0.mod": "module x\n", "graph.txt": "a b\n"}
	if diff := cmp.Diff(want, files(t, Unpack(t, archive))); diff != "" {
		t.Errorf("unpacked (-want +got):\n%s", diff)
	}
}

// TestUnpackBadArchives checks that an archive which would write outside
// its folder, links, files twice, an empty archive, a file that is no
// archive and a missing one are errors naming the archive.
func TestUnpackBadArchives(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		entries []entry
		want    string
	}{
		{"parent", []entry{{name: "../escape", body: "x"}}, `"../escape" is not a regular file with a local path`},
		{"absolute", []entry{{name: "/etc/x", body: "x"}}, `"/etc/x" is not a regular file with a local path`},
		{"symlink", []entry{{name: "link", body: "/etc/passwd", typ: tar.TypeSymlink}}, `"link" is not a regular file with a local path`},
		{"twice", []entry{{name: "a", body: "1"}, {name: "a", body: "2"}}, "file exists"},
		{"empty", []entry{{name: "d/", typ: tar.TypeDir}}, "no files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			archive := filepath.Join(t.TempDir(), tt.name+".tar.gz")
			writeTarGz(t, archive, tt.entries...)
			err := unpackTarGz(archive, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), archive) {
				t.Errorf("error = %v, want one naming %s and saying %q", err, archive, tt.want)
			}
		})
	}
	dir := t.TempDir()
	notGzip := filepath.Join(dir, "plain.tar.gz")
	if err := os.WriteFile(notGzip, []byte("plain text"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, archive := range []string{notGzip, filepath.Join(dir, "missing.tar.gz")} {
		if err := unpackTarGz(archive, t.TempDir()); err == nil || !strings.Contains(err.Error(), archive) {
			t.Errorf("%s: error = %v, want one naming it", archive, err)
		}
	}
}
