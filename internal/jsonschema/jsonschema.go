// Package jsonschema compiles embedded JSON schemas and turns validation
// failures into short findings that name the place in the document.
//
// It wraps github.com/kaptinlin/jsonschema: schemas are served from an
// fs.FS, never fetched, formats are asserted, and the library's result tree
// (written for schema authors) becomes its leaves, one finding each, which is
// what sdlkit's users read. It is not a general JSON Schema front end: it
// checks documents against schemas that ship inside sdlkit.
//
// Why this library: every sdlkit command, even --version, pays package
// initialisation, and github.com/santhosh-tekuri/jsonschema/v6, used before,
// compiles the meta-schemas of five drafts in an init function: 9.3 ms of
// the 20 ms sdlkit spent in init (GODEBUG=inittrace=1, mean of 30 runs).
// kaptinlin/jsonschema v0.9.10 costs 0.08 ms at init, compiles lazily, and
// validates draft-07 (the CycloneDX schemas) and 2020-12 (the catalog
// schema) with formats asserted. Measured on the CycloneDX specification's
// 1.6 test BOMs, both libraries accept all 45 valid-* and reject all 25
// invalid-*; on the JSON-Schema-Test-Suite for draft-07 it passes 902 of 906
// core cases (the 4 others $ref the draft-07 meta-schema by URL, which
// sdlkit's schemas never do) and 411 of 423 format cases, against 906 and
// 392 for the former library. Its IRI check follows RFC 3987, so a URL
// holding a space or an unexpanded "${…}" is now an error where the former
// library let it through. The price is validation speed: a 3 MB CycloneDX
// 1.5 BOM takes about 350 ms instead of 95 ms, paid only by sbom validate.
package jsonschema

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/kaptinlin/jsonschema"
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
	data, err := fs.ReadFile(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", root, err)
	}
	c := jsonschema.NewCompiler()
	c.SetAssertFormat(true)
	// The compiler comes with HTTP loaders; only ours remain.
	clear(c.Loaders)
	load := fsLoader{fsys: fsys, base: baseURL}.load
	for _, scheme := range []string{"http", "https", "file", "urn"} {
		c.RegisterLoader(scheme, load)
	}
	s, err := c.Compile(data, baseURL+root)
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

func (l fsLoader) load(url string) (io.ReadCloser, error) {
	name, ok := strings.CutPrefix(url, l.base)
	if !ok || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("load schema %s: not embedded (sdlkit never fetches schemas)", url)
	}
	f, err := l.fsys.Open(path.Clean(name))
	if err != nil {
		return nil, fmt.Errorf("load schema %s: %w", url, err)
	}
	return f, nil
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
// by path and message so that reports are the same from run to run. An error
// would mean that validation could not run; references are resolved when the
// schema is compiled, so none is returned today.
func (s *Schema) Validate(doc any) ([]Finding, error) {
	r := s.s.Validate(doc)
	if r.IsValid() {
		return nil, nil
	}
	w := walker{seen: map[Finding]bool{}}
	w.walk(r, nil, doc)
	if len(w.out) == 0 {
		// Not expected, as an invalid result has a leaf; but an invalid
		// document must never be reported as clean.
		w.add(nil, "does not match the schema")
	}
	slices.SortFunc(w.out, func(a, b Finding) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return w.out, nil
}

// walker collects the leaves of a result tree as findings.
type walker struct {
	out  []Finding
	seen map[Finding]bool
}

func (w *walker) add(tokens []string, msg string) {
	f := Finding{Path: Pointer(tokens), Message: msg}
	if !w.seen[f] {
		w.seen[f] = true
		w.out = append(w.out, f)
	}
}

// walk visits r, the result for the value at tokens. An error that only
// says "a subschema failed" gives way to that subschema's result; the
// results of subschemas whose keyword held (a oneOf branch not taken, the
// schema of a "not") are no errors and are not visited.
func (w *walker) walk(r *jsonschema.EvaluationResult, tokens []string, value any) {
	failed := map[string][]*jsonschema.EvaluationResult{}
	for _, d := range r.Details {
		if key := failedKeyword(r, d); key != "" {
			failed[key] = append(failed[key], d)
		}
	}
	for key, e := range r.Errors {
		children := failed[key]
		switch {
		case len(children) == 0:
			w.add(tokens, message(e, value))
		case key == "additionalProperties" && allFalse(children):
			w.add(tokens, "additional properties "+quoteSteps(children)+" not allowed")
		case key == "items" && allFalse(children):
			// How draft-07 "additionalItems": false reaches the library.
			w.add(tokens, fmt.Sprintf("last %d additionalItem(s) not allowed", len(children)))
		default:
			for _, d := range children {
				if next, v, ok := step(d, tokens, value); ok {
					w.walk(d, next, v)
				}
			}
		}
	}
}

// allFalse tells whether each result is only the failure of a false schema.
func allFalse(results []*jsonschema.EvaluationResult) bool {
	for _, d := range results {
		e := d.Errors["schema"]
		if len(d.Details) > 0 || len(d.Errors) != 1 || e == nil || e.Code != "false_schema_mismatch" {
			return false
		}
	}
	return true
}

// quoteSteps lists the property names the results point at, quoted and
// sorted.
func quoteSteps(results []*jsonschema.EvaluationResult) string {
	names := make([]string, 0, len(results))
	for _, d := range results {
		names = append(names, quote(strings.TrimPrefix(d.InstanceLocation, "/")))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// failedKeyword returns the key in r.Errors of the keyword that failed
// because its subschema's result d failed, or "" if d is not why r failed.
func failedKeyword(r, d *jsonschema.EvaluationResult) string {
	if d.Valid {
		return ""
	}
	// The keyword is the first step of d's evaluation path; $ref and
	// $dynamicRef leave it empty, and the library files the errors of
	// patternProperties and unevaluatedProperties under "properties".
	keyword, _, _ := strings.Cut(strings.TrimPrefix(d.EvaluationPath, "/"), "/")
	keys := []string{keyword}
	switch keyword {
	case "":
		keys = []string{"$ref", "$dynamicRef"}
	case "patternProperties", "unevaluatedProperties":
		keys = append(keys, "properties")
	}
	for _, k := range keys {
		if e := r.Errors[k]; e != nil && summary[e.Code] {
			return k
		}
	}
	return ""
}

// step returns where the child result d points. The library also checks a
// missing required property as if it were null; such results point at
// nothing in the document and add nothing to the "missing property" finding
// of the object, so ok is false for them.
func step(d *jsonschema.EvaluationResult, tokens []string, value any) ([]string, any, bool) {
	if d.InstanceLocation == "" {
		return tokens, value, true
	}
	// Each step is one unescaped token: a property name or an index.
	token := strings.TrimPrefix(d.InstanceLocation, "/")
	next := append(slices.Clip(tokens), token)
	switch v := value.(type) {
	case map[string]any:
		if strings.HasPrefix(d.EvaluationPath, "/propertyNames/") {
			return next, token, true
		}
		child, ok := v[token]
		return next, child, ok
	case []any:
		if i, err := strconv.Atoi(token); err == nil && i >= 0 && i < len(v) {
			return next, v[i], true
		}
	}
	return nil, nil, false
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
