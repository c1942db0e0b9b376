// Package jsonschema compiles embedded JSON schemas and turns validation
// failures into short findings that name the place in the document.
//
// It wraps github.com/santhosh-tekuri/jsonschema/v6: schemas are served from
// an fs.FS, never fetched, formats are asserted, and the library's error tree
// (written for schema authors) becomes its leaves, one finding each, which is
// what sdlkit's users read.
package jsonschema

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Schema is a compiled schema.
type Schema struct {
	s *jsonschema.Schema
}

// Compile compiles the schema file root from fsys. The schemas name
// themselves under baseURL (their $id); a $ref to baseURL+NAME is served from
// the file NAME in fsys, and any other URL is refused, so that compiling never
// touches the network.
func Compile(fsys fs.FS, baseURL, root string) (*Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(fsLoader{fsys: fsys, base: baseURL})
	s, err := c.Compile(baseURL + root)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", root, err)
	}
	return &Schema{s: s}, nil
}

// fsLoader serves baseURL+NAME from fsys and refuses every other URL.
type fsLoader struct {
	fsys fs.FS
	base string
}

// Load implements jsonschema.URLLoader.
func (l fsLoader) Load(url string) (any, error) {
	name, ok := strings.CutPrefix(url, l.base)
	if !ok || strings.Contains(name, "/") {
		return nil, fmt.Errorf("load schema %s: not embedded (sdlkit never fetches schemas)", url)
	}
	f, err := l.fsys.Open(path.Clean(name))
	if err != nil {
		return nil, fmt.Errorf("load schema %s: %w", url, err)
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

// Finding is one way a document breaks the schema.
type Finding struct {
	// Path is a JSON Pointer (RFC 6901) to the offending value; "" is the
	// whole document.
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (f Finding) String() string {
	p := f.Path
	if p == "" {
		p = "/"
	}
	return p + ": " + f.Message
}

// Validate checks doc, a value decoded from JSON into any, and returns its
// findings, one per leaf of the schema's error tree, without repeats, sorted
// by path so that reports are the same from run to run. An error is returned only when validation could not run.
func (s *Schema) Validate(doc any) ([]Finding, error) {
	err := s.s.Validate(doc)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	p := message.NewPrinter(language.English)
	var out []Finding
	seen := map[Finding]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			f := Finding{Path: Pointer(e.InstanceLocation), Message: e.ErrorKind.LocalizedString(p)}
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	slices.SortStableFunc(out, func(a, b Finding) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// Pointer builds a JSON Pointer (RFC 6901) from path tokens.
func Pointer(tokens []string) string {
	esc := strings.NewReplacer("~", "~0", "/", "~1")
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(esc.Replace(t))
	}
	return b.String()
}
