// Package jsonschema compiles embedded JSON schemas and turns validation
// failures into short, one-line findings that name the place in the document.
//
// It wraps github.com/santhosh-tekuri/jsonschema/v6, whose errors are a tree
// written for schema authors; sdlkit's users want the leaves, one per line.
package jsonschema

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Schema is a compiled schema.
type Schema struct {
	s *jsonschema.Schema
}

// Compile compiles the schema at root from files in fsys; every other file in
// fsys with a .json name is registered by its base name and its $id, so that
// $refs between them resolve without a network.
func Compile(fsys fs.FS, root string) (*Schema, error) {
	c := jsonschema.NewCompiler()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read schemas: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		f, err := fsys.Open(e.Name())
		if err != nil {
			return nil, fmt.Errorf("read schema %s: %w", e.Name(), err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("parse schema %s: %w", e.Name(), err)
		}
		if err := c.AddResource(e.Name(), doc); err != nil {
			return nil, fmt.Errorf("add schema %s: %w", e.Name(), err)
		}
		if m, ok := doc.(map[string]any); ok {
			if id, ok := m["$id"].(string); ok && id != e.Name() {
				if err := c.AddResource(id, doc); err != nil {
					return nil, fmt.Errorf("add schema %s: %w", id, err)
				}
			}
		}
	}
	s, err := c.Compile(root)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", root, err)
	}
	return &Schema{s: s}, nil
}

// Finding is one way a document breaks the schema.
type Finding struct {
	// Path is a JSON pointer to the offending value ("" is the document).
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

// Validate checks doc, a value decoded by encoding/json into any (numbers as
// float64 or json.Number), and returns the findings sorted by path. An error
// is returned only when validation could not run.
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
			f := Finding{Path: pointer(e.InstanceLocation), Message: e.ErrorKind.LocalizedString(p)}
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
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func pointer(loc []string) string {
	if len(loc) == 0 {
		return ""
	}
	esc := strings.NewReplacer("~", "~0", "/", "~1")
	var b strings.Builder
	for _, t := range loc {
		b.WriteByte('/')
		b.WriteString(esc.Replace(t))
	}
	return b.String()
}
