package release

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Digests of "abc" from FIPS 180-2, appendix B.1 and C.1.
const (
	abc256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	abc512 = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
)

// abcManifest is the canonical manifest of a directory holding a/abc.txt
// with the content "abc".
const abcManifest = `{
  "mediaType": "application/vnd.sdlkit.release-manifest+json;version=1",
  "files": [
    {
      "path": "a/abc.txt",
      "size": 3,
      "digest": {
        "sha256": "` + abc256 + `",
        "sha512": "` + abc512 + `"
      }
    }
  ]
}
`

func TestMarshalIsCanonical(t *testing.T) {
	t.Parallel()
	m := &Manifest{Files: []File{{Path: "a/abc.txt", Size: 3, Digest: Digests{SHA256: abc256, SHA512: abc512}}}}
	got, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(abcManifest, string(got)); diff != "" {
		t.Errorf("Marshal() (-want +got):\n%s", diff)
	}
	back, err := Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, back); diff != "" {
		t.Errorf("Parse(Marshal()) (-want +got):\n%s", diff)
	}
}

func TestMarshalEmpty(t *testing.T) {
	t.Parallel()
	got, err := (&Manifest{}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"mediaType\": \"" + MediaType + "\",\n  \"files\": []\n}\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Marshal() (-want +got):\n%s", diff)
	}
	if _, err := Parse(got); err != nil {
		t.Errorf("Parse(empty manifest) = %v", err)
	}
}

// entryJSON is one manifest entry with good digests.
func entryJSON(path string) string {
	return `{"path":"` + path + `","size":3,"digest":{"sha256":"` + abc256 + `","sha512":"` + abc512 + `"}}`
}

func manifestJSON(entries ...string) string {
	return `{"mediaType":"` + MediaType + `","files":[` + strings.Join(entries, ",") + `]}`
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		want       error
		msg        string
	}{
		{"parent", manifestJSON(entryJSON("../etc/passwd")), ErrUnsafePath, `unsafe path "../etc/passwd": leaves the release directory`},
		{"inner parent", manifestJSON(entryJSON("a/../../etc/passwd")), ErrUnsafePath, "leaves the release directory"},
		{"absolute", manifestJSON(entryJSON("/etc/passwd")), ErrUnsafePath, "absolute path"},
		{"backslash", manifestJSON(entryJSON(`..\\..\\windows`)), ErrUnsafePath, "backslash"},
		{"drive", manifestJSON(entryJSON("C:/windows")), ErrUnsafePath, "drive letter"},
		{"dot", manifestJSON(entryJSON("a/./b")), ErrUnsafePath, `"." path element`},
		{"empty element", manifestJSON(entryJSON("a//b")), ErrUnsafePath, `"." path element`},
		{"trailing slash", manifestJSON(entryJSON("a/")), ErrUnsafePath, `"." path element`},
		{"empty", manifestJSON(entryJSON("")), ErrUnsafePath, "empty path"},
		{"newline", manifestJSON(entryJSON(`a\nb`)), ErrUnsafePath, "control character"},
		{"bad utf8", manifestJSON(entryJSON("a\xffb")), ErrInvalidManifest, "not valid UTF-8"},
		{"windows device", manifestJSON(entryJSON("docs/nul.txt")), ErrUnsafePath, "a device name on Windows"},
		{"windows com port", manifestJSON(entryJSON("COM1")), ErrUnsafePath, "a device name on Windows"},
		{"duplicate", manifestJSON(entryJSON("a"), entryJSON("a")), ErrUnsafePath, "listed twice"},
		{"file and dir", manifestJSON(entryJSON("a"), entryJSON("a/b")), ErrUnsafePath, `"a" is listed as a file`},
		{"unsorted", manifestJSON(entryJSON("b"), entryJSON("a")), ErrInvalidManifest, "not sorted"},
		{"version 2", strings.Replace(manifestJSON(), "version=1", "version=2", 1), ErrInvalidManifest, "media type"},
		{"no media type", `{"files":[]}`, ErrInvalidManifest, "media type"},
		{"no files", `{"mediaType":"` + MediaType + `"}`, ErrInvalidManifest, `no "files" list`},
		{"unknown field", strings.Replace(manifestJSON(), `"files"`, `"signed":true,"files"`, 1), ErrInvalidManifest, "unknown field"},
		{"unknown digest", manifestJSON(strings.Replace(entryJSON("a"), `"sha256"`, `"md5":"00","sha256"`, 1)), ErrInvalidManifest, "unknown field"},
		{"no sha512", manifestJSON(strings.Replace(entryJSON("a"), abc512, "", 1)), ErrInvalidManifest, "sha512: want 128 hex digits, got 0"},
		{"upper hex", manifestJSON(strings.Replace(entryJSON("a"), abc256, strings.ToUpper(abc256), 1)), ErrInvalidManifest, "not lowercase hex"},
		{"negative size", manifestJSON(strings.Replace(entryJSON("a"), `"size":3`, `"size":-1`, 1)), ErrInvalidManifest, "negative size"},
		{"trailing data", manifestJSON() + "{}", ErrInvalidManifest, "data after"},
		{"truncated", manifestJSON(entryJSON("a"))[:40], ErrInvalidManifest, "unexpected EOF"},
		{"not json", "sha256sum  a\n", ErrInvalidManifest, "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.data))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse() = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Parse() = %q, want it to contain %q", err, tt.msg)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("Parse() error is not one line: %q", err)
			}
		})
	}
}

func TestParseAcceptsOtherWhitespace(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte(manifestJSON(entryJSON("a b/ü.txt"), entryJSON("z"))))
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{m.Files[0].Path, m.Files[1].Path}; !cmp.Equal(got, []string{"a b/ü.txt", "z"}) {
		t.Errorf("paths = %q", got)
	}
}
