package csaf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxDocumentSize is the largest CSAF document read (64 MiB).
const MaxDocumentSize = 64 << 20

// ErrNotCSAF is wrapped by the error for a document that is not CSAF 2.0.
var ErrNotCSAF = errors.New("not a CSAF 2.0 document")

// Error is an error about one place in one document.
type Error struct {
	// Kind is what the file is, for the message: "csaf" when empty,
	// "vex", "scan result", "sbom".
	Kind string
	// File names the document.
	File string
	// Pointer is a JSON Pointer (RFC 6901) to the place; "" is the whole
	// document.
	Pointer string
	Err     error
}

func (e *Error) Error() string {
	p := e.Pointer
	if p == "" {
		p = "/"
	}
	kind := e.Kind
	if kind == "" {
		kind = "csaf"
	}
	return fmt.Sprintf("%s %q: %s: %v", kind, e.File, p, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Parse reads a CSAF 2.0 document. name is the file, for errors, which
// name the place in the document as a JSON Pointer. Properties the schema
// does not define (which optional test 6.2.20 warns of) are not kept.
func Parse(data []byte, name string) (*Advisory, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, &Error{File: name, Err: syntaxError(data, err)}
	}
	var doc struct {
		Category    *string `json:"category"`
		CSAFVersion *string `json:"csaf_version"`
	}
	if err := json.Unmarshal(probe["document"], &doc); err != nil || doc.CSAFVersion == nil {
		return nil, &Error{File: name, Pointer: "/document/csaf_version", Err: fmt.Errorf("%w: no csaf_version", ErrNotCSAF)}
	}
	if *doc.CSAFVersion != "2.0" {
		return nil, &Error{File: name, Pointer: "/document/csaf_version", Err: fmt.Errorf("%w: csaf_version is %q", ErrNotCSAF, *doc.CSAFVersion)}
	}
	var a Advisory
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, &Error{File: name, Pointer: typePointer(err), Err: typeError(err)}
	}
	return &a, nil
}

// syntaxError says where JSON that does not parse breaks: line and column.
func syntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:se.Offset], []byte("\n"))
		col := int(se.Offset) - bytes.LastIndexByte(data[:se.Offset], '\n') - 1
		return fmt.Errorf("line %d, column %d: %v", line, col, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%w: the document is a JSON %s, not an object", ErrNotCSAF, te.Value)
	}
	return err
}

// typePointer turns the dotted field path of a type error into a JSON
// Pointer (without array indices, which encoding/json does not report).
func typePointer(err error) string {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field == "" {
		return ""
	}
	return "/" + strings.ReplaceAll(te.Field, ".", "/")
}

func typeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("got a JSON %s, want %s", te.Value, jsonKind(te.Type.Kind().String()))
	}
	return err
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	}
	return goKind
}

// Marshal writes the document as CSAF JSON: indented with two spaces,
// without HTML escaping, with a final newline.
func Marshal(a *Advisory) ([]byte, error) {
	var buf bytes.Buffer
	if err := Write(&buf, a); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes the document as Marshal does.
func Write(w io.Writer, a *Advisory) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(a)
}
