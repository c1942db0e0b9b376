// Package lockfile holds the lockfile formats that sbom/generate reads,
// behind one registry (Kinds): for each format, osv-scalibr's extractor
// where it reads the packages well, and a reader written here for what
// scalibr leaves out — hashes, licenses, scopes and the dependency graph —
// or, where scalibr's extractor is wrong or slow, for the whole file. Each
// hand-written reader says why it exists in its doc comment. Adding a format
// is one reader and one row of the table in kinds.go.
package lockfile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sdlkit/sdlkit/internal/textsafe"

	"github.com/sdlkit/sdlkit/sbom"
)

// Info is what a reader of one lockfile found: the packages it reads itself
// and, for scalibr's packages, their hashes, licenses, scopes and graph,
// keyed by bom-ref (the purl built by purl.New).
type Info struct {
	Hashes   map[string][]sbom.Hash
	Licenses map[string][]string
	// Edges are ref → refs it depends on; Graph is true when the file
	// expresses the whole graph of its packages, so that a package without
	// edges has none (rather than unknown ones).
	Edges map[string][]string
	Graph bool
	// Known are refs whose edges are known (possibly none) where Graph is
	// false.
	Known map[string]bool
	// GoModFiles, GoModules and GoModsRead count go.mod files, the modules
	// they require and those whose own go.mod was read from the module
	// cache, so that the generator can say where the Go graph came from.
	GoModFiles, GoModules, GoModsRead int
	// Roots are the refs the project itself depends on directly.
	Roots []string
	// Packages are components read by hand where sdlkit does not use
	// scalibr's extractor; their Scope is ScopeExcluded for dev ones.
	Packages []sbom.Component
	// Scopes are scopes the lockfile says where scalibr's are wrong.
	Scopes map[string]sbom.Scope
	// Locals are the refs of the packages the lockfile pins that are the
	// project's own code rather than dependencies (Cargo workspace crates,
	// the gems of Gemfile.lock's PATH sections). Their purls would name
	// packages of a public registry that are not what is built, so they
	// are not components: one at the root is the product, and what they
	// depend on is what the product depends on.
	Locals []string
	// Properties are annotations on the components by ref, e.g. where the
	// Go standard library's version came from.
	Properties map[string][]sbom.Property
}

// NewInfo returns an empty Info.
func NewInfo() *Info {
	return &Info{Hashes: map[string][]sbom.Hash{}, Licenses: map[string][]string{}, Edges: map[string][]string{}, Known: map[string]bool{}, Scopes: map[string]sbom.Scope{}}
}

// Apply adds what the lockfile says about c.
func (l *Info) Apply(c *sbom.Component) {
	if l == nil {
		return
	}
	c.Hashes = sbom.UnionHashes(c.Hashes, l.Hashes[c.BOMRef])
	if s, ok := l.Scopes[c.BOMRef]; ok && c.Scope != sbom.ScopeExcluded {
		c.Scope = s
	}
	if len(c.Licenses) == 0 {
		c.Licenses = l.Licenses[c.BOMRef]
	}
	c.Properties = sbom.UnionProperties(c.Properties, l.Properties[c.BOMRef])
}

// FileError is a file that could not be read or parsed.
type FileError struct {
	// Path is slash-separated, relative to the scanned root.
	Path string
	// Line is the line of the problem, 0 when the parser does not say.
	Line int
	Err  error
}

// Error names the file, with control characters in its path escaped.
func (e *FileError) Error() string {
	path := textsafe.Escape(e.Path)
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", path, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// ErrTooLarge is the cause of a FileError for a file over its size limit.
var ErrTooLarge = errors.New("file too large")

// HashAlgorithm maps a lockfile's spelling of a hash algorithm ("sha512")
// to CycloneDX's ("SHA-512"), "" for one CycloneDX does not know.
func HashAlgorithm(s string) string {
	switch strings.ToLower(s) {
	case "sha1":
		return "SHA-1"
	case "sha256":
		return "SHA-256"
	case "sha384":
		return "SHA-384"
	case "sha512":
		return "SHA-512"
	case "md5":
		return "MD5"
	}
	return ""
}

// PipHashes converts pip's "--hash=sha256:hex" values.
func PipHashes(vals []string) []sbom.Hash {
	var out []sbom.Hash
	for _, v := range vals {
		alg, hex, ok := strings.Cut(v, ":")
		if !ok {
			continue
		}
		if a := HashAlgorithm(alg); a != "" {
			out = append(out, sbom.Hash{Algorithm: a, Value: strings.ToLower(hex)})
		}
	}
	return sbom.UnionHashes(nil, out)
}
