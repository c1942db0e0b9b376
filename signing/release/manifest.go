// Package release describes a whole release directory as one signable
// document, the release manifest, and checks a directory against it.
//
// A manifest lists every regular file under the release directory with its
// path (slash-separated, relative to the directory), its size and its SHA-256
// and SHA-512 digests. Signing the manifest's bytes (package signing) then
// vouches for every file at once, so that a customer checks a whole release,
// offline, in one step: the signature over the manifest first, then each file
// against it, then that nothing is missing and nothing was added.
//
// The format is sdlkit's own small JSON document,
//
//	{
//	  "mediaType": "application/vnd.sdlkit.release-manifest+json;version=1",
//	  "files": [
//	    {"path": "bin/app", "size": 1234, "digest": {"sha256": "…", "sha512": "…"}}
//	  ]
//	}
//
// because no existing one carries what is needed: sha256sum/goreleaser
// checksum files hold one digest and no size and are not versioned, and an
// in-toto Statement's subjects have no size and need a predicate. The digest
// object has the shape of an in-toto DigestSet, so that the entries map one to
// one onto in-toto subjects. Manifest.Marshal writes canonical bytes (fixed
// field order, files sorted by path, two-space indent, final newline): the
// same directory always gives the same manifest, byte for byte.
//
// Path rules hold both when a manifest is built and when one is read: paths
// are valid UTF-8 without control characters or backslashes, relative,
// without "." or ".." elements or Windows device names (NUL, COM1, …),
// unique and sorted. A manifest that breaks them
// is refused before any file is opened, and files are opened through an
// os.Root, so that no manifest can make sdlkit read outside the directory.
// Symbolic links and other non-regular files are refused, not followed: a
// link's target is not part of what was signed, and following links is how
// verifiers get tricked into reading /etc/passwd. Empty directories are not
// recorded.
//
// The package does not sign or verify signatures; package signing does that
// over the bytes Marshal returns.
package release

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MediaType names the format and version of the manifests this package
// writes and the only one it reads.
const MediaType = "application/vnd.sdlkit.release-manifest+json;version=1"

// DefaultName is the file name of a release manifest inside the release
// directory when the user names none.
const DefaultName = "sdlkit-release.json"

// MaxManifestSize bounds the manifest a reader accepts, and the manifest
// Sign writes: at about 250 bytes a file, half a million files. It is read
// into memory whole, so a bound in megabytes keeps /dev/zero or a huge
// file from exhausting memory.
const MaxManifestSize = 128 << 20

var (
	// ErrInvalidManifest is returned for a manifest that is not a valid
	// release manifest: bad JSON, an unknown version, a bad digest.
	ErrInvalidManifest = errors.New("invalid release manifest")
	// ErrUnsafePath is returned for a path that could reach outside the
	// release directory or be read differently on another system: absolute,
	// "..", backslashes, control characters, duplicates.
	ErrUnsafePath = errors.New("unsafe path")
)

// Manifest lists the files of a release.
type Manifest struct {
	// Files are sorted by Path, each path once.
	Files []File
}

// File is one regular file of a release.
type File struct {
	// Path is slash-separated and relative to the release directory.
	Path   string  `json:"path"`
	Size   int64   `json:"size"`
	Digest Digests `json:"digest"`
}

// Digests are a file's digests as lowercase hex, the shape of an in-toto
// DigestSet.
type Digests struct {
	SHA256 string `json:"sha256"`
	SHA512 string `json:"sha512"`
}

// wireManifest is the JSON document; the field order is the canonical order.
type wireManifest struct {
	MediaType string `json:"mediaType"`
	Files     []File `json:"files"`
}

// Marshal returns the manifest's canonical bytes, the bytes that are signed.
// It fails if the manifest breaks the path or digest rules.
func (m *Manifest) Marshal() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	files := m.Files
	if files == nil {
		files = []File{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(wireManifest{MediaType: MediaType, Files: files}); err != nil {
		return nil, fmt.Errorf("encode release manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// Parse reads a manifest strictly: unknown fields, another media type or
// version, a missing or malformed digest, and any unsafe, duplicate or
// unsorted path are errors wrapping ErrInvalidManifest or ErrUnsafePath.
func Parse(data []byte) (*Manifest, error) {
	if len(data) > MaxManifestSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidManifest, MaxManifestSize)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrInvalidManifest)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w wireManifest
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidManifest, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON document", ErrInvalidManifest)
	}
	if w.MediaType != MediaType {
		return nil, fmt.Errorf("%w: media type %q is not %q", ErrInvalidManifest, w.MediaType, MediaType)
	}
	if w.Files == nil {
		return nil, fmt.Errorf("%w: no \"files\" list", ErrInvalidManifest)
	}
	m := &Manifest{Files: w.Files}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// validate checks every entry and that paths are sorted and unique.
func (m *Manifest) validate() error {
	for i, f := range m.Files {
		if err := checkPath(f.Path); err != nil {
			return err
		}
		if err := f.check(); err != nil {
			return err
		}
		if i > 0 {
			prev := m.Files[i-1].Path
			switch {
			case prev == f.Path:
				return fmt.Errorf("%w %q: listed twice", ErrUnsafePath, f.Path)
			case prev > f.Path:
				return fmt.Errorf("%w: files are not sorted by path: %q before %q", ErrInvalidManifest, prev, f.Path)
			case strings.HasPrefix(f.Path, prev+"/"):
				return fmt.Errorf("%w %q: %q is listed as a file", ErrUnsafePath, f.Path, prev)
			}
		}
	}
	return nil
}

// check validates the size and the digests of one entry.
func (f File) check() error {
	if f.Size < 0 {
		return fmt.Errorf("%w: %q: negative size %d", ErrInvalidManifest, f.Path, f.Size)
	}
	if err := checkHex(f.Digest.SHA256, 32); err != nil {
		return fmt.Errorf("%w: %q: sha256: %v", ErrInvalidManifest, f.Path, err)
	}
	if err := checkHex(f.Digest.SHA512, 64); err != nil {
		return fmt.Errorf("%w: %q: sha512: %v", ErrInvalidManifest, f.Path, err)
	}
	return nil
}

// checkHex requires n bytes as lowercase hex, the one spelling that compares
// equal byte for byte.
func checkHex(s string, n int) error {
	if len(s) != 2*n {
		return fmt.Errorf("want %d hex digits, got %d", 2*n, len(s))
	}
	if _, err := hex.DecodeString(s); err != nil || strings.ToLower(s) != s {
		return errors.New("not lowercase hex")
	}
	return nil
}

// windowsReserved reports whether elem names a device on Windows (CON,
// NUL, COM1, LPT1.txt, …), where opening it would not open a file.
func windowsReserved(elem string) bool {
	base, _, _ := strings.Cut(elem, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	return len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) &&
		'1' <= base[3] && base[3] <= '9'
}

// checkPath enforces the path rules of the package doc. It names the path in
// the error with %q, so that control characters cannot forge output lines.
func checkPath(p string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrUnsafePath, p, why) }
	switch {
	case p == "":
		return bad("empty path")
	case !utf8.ValidString(p):
		return bad("not valid UTF-8")
	case strings.ContainsRune(p, '\\'):
		return bad("contains a backslash")
	case strings.HasPrefix(p, "/"):
		return bad("absolute path")
	case strings.IndexFunc(p, unicode.IsControl) >= 0:
		return bad("contains a control character")
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == ".." {
			return bad("leaves the release directory")
		}
		if windowsReserved(elem) {
			return bad("a device name on Windows")
		}
	}
	if !fs.ValidPath(p) || p == "." {
		return bad(`empty or "." path element`)
	}
	if len(p) >= 2 && p[1] == ':' && ('a' <= p[0]|0x20 && p[0]|0x20 <= 'z') {
		return bad("drive letter")
	}
	return nil
}
