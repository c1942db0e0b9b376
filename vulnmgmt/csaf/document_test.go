package csaf

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRoundTrip reads every real document and every OASIS validator test
// document, writes it again and compares the two as JSON values: no field
// the schema defines is lost or changed.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	files := realDocuments(t, dir)
	tests, err := filepath.Glob(filepath.Join(dir, "oasis", "validator", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(files, tests...) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(f, "6-2-20-") {
				return // a property the schema does not define (optional test 6.2.20): the model drops it
			}
			a, err := Parse(data, f)
			if err != nil {
				if strings.Contains(f, "6-1-08") {
					return // CVSS objects that break their schema may not decode
				}
				t.Fatal(err)
			}
			out, err := Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip changed the document (-read +written):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string
	}{
		{"not JSON", `{"document": `, `csaf "d.json": /: line 1, column 13: unexpected end of JSON input`},
		{"array", `[1]`, `not a CSAF 2.0 document: the document is a JSON array`},
		{"OpenVEX", `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": []}`, `/document/csaf_version: not a CSAF 2.0 document: no csaf_version`},
		{"CSAF 2.1", `{"document": {"csaf_version": "2.1"}}`, `/document/csaf_version: not a CSAF 2.0 document: csaf_version is "2.1"`},
		{"wrong type", `{"document": {"csaf_version": "2.0", "tracking": {"id": 7}}}`, `/document/tracking/id: got a JSON number, want string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), "d.json")
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// FuzzParse feeds the parser and the validator arbitrary bytes, seeded
// with real documents: they return an error or a report, never panic, and
// a document that parses writes out and parses again to the same. Real
// documents seed it too: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"document": {"csaf_version": "2.0", "category": "csaf_base"}}`,
		`{"document": {"csaf_version": "2.0"}, "product_tree": {"branches": [{"category": "vendor", "name": "a", "branches": [{}]}]}}`,
		`{"document": {"csaf_version": "2.0"}, "vulnerabilities": [null, {"scores": [{"cvss_v3": {"vectorString": "CVSS:3.1/AV:N"}}]}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(data, "fuzz.json")
		if err != nil {
			return
		}
		_ = Mandatory(a)
		out, err := Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Parse(out, "again.json")
		if err != nil {
			t.Fatalf("written document does not parse: %v", err)
		}
		again, _ := Marshal(b)
		if string(again) != string(out) {
			t.Fatal("a second round trip changed the document")
		}
	})
}
