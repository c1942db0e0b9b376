package release

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseManifest checks that Parse never panics, that every error is one
// of the package's kinds, and that what it accepts survives a round trip
// through the canonical form.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(abcManifest))
	f.Add([]byte(manifestJSON()))
	f.Add([]byte(manifestJSON(entryJSON("../etc/passwd"))))
	f.Add([]byte(manifestJSON(entryJSON("a"), entryJSON("a/b"))))
	f.Add([]byte(manifestJSON(entryJSON("b"), entryJSON("a"))))
	f.Add([]byte(`{"mediaType":"` + MediaType + `","files":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidManifest) && !errors.Is(err, ErrUnsafePath) {
				t.Fatalf("Parse() = %v, not ErrInvalidManifest or ErrUnsafePath", err)
			}
			return
		}
		canon, err := m.Marshal()
		if err != nil {
			t.Fatalf("Marshal() of a parsed manifest = %v", err)
		}
		back, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(Marshal()) = %v", err)
		}
		if diff := cmp.Diff(m, back); diff != "" {
			t.Fatalf("round trip (-parsed +reparsed):\n%s", diff)
		}
		again, _ := back.Marshal()
		if !bytes.Equal(canon, again) {
			t.Fatalf("Marshal() is not stable")
		}
	})
}

// FuzzCheckPath checks that every path the manifest rules accept is a local
// path on this system, one that cannot name anything outside the release
// directory (filepath.IsLocal: no "..", not absolute, no reserved names).
func FuzzCheckPath(f *testing.F) {
	for _, p := range []string{"a", "a/b.txt", "../x", "/etc/passwd", `a\b`, "a//b", "./a", "C:/x", "NUL", "a/..", "\x00", "ü/ß"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if checkPath(p) != nil {
			return
		}
		if !filepath.IsLocal(filepath.FromSlash(p)) || !fs.ValidPath(p) {
			t.Fatalf("checkPath(%q) accepted a path that is not local", p)
		}
	})
}
