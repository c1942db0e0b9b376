package jsonschema

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

const base = "https://example.test/schema/"

var schemas = fstest.MapFS{
	"root.json": {Data: []byte(`{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id": "https://example.test/schema/root.json",
		"type": "object",
		"required": ["name"],
		"properties": {
			"name": {"type": "string"},
			"email": {"type": "string", "format": "email"},
			"tags": {"type": "array", "items": {"$ref": "tag.json"}}
		}
	}`)},
	"tag.json":    {Data: []byte(`{"$id": "https://example.test/schema/tag.json", "type": "string", "pattern": "^[a-z]+$"}`)},
	"remote.json": {Data: []byte(`{"$id": "https://example.test/schema/remote.json", "$ref": "https://elsewhere.test/x.json"}`)},
	"gone.json":   {Data: []byte(`{"$id": "https://example.test/schema/gone.json", "$ref": "nothere.json"}`)},
	// Written like the CycloneDX schemas: draft-07, "additionalItems",
	// a oneOf of required members, formats, $ref siblings.
	"bom.json": {Data: []byte(`{
		"$schema": "http://json-schema.org/draft-07/schema#",
		"$id": "https://example.test/schema/bom.json",
		"type": "object",
		"required": ["format", "components"],
		"additionalProperties": false,
		"properties": {
			"format": {"const": "bom/v1"},
			"serial": {"type": "string", "format": "uri"},
			"timestamp": {"type": "string", "format": "date-time"},
			"components": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/component"}},
			"pair": {"type": "array", "items": [{"type": "string"}], "additionalItems": false},
			"count": {"type": "integer", "minimum": 1, "maximum": 9},
			"kind": {"enum": ["app", "lib"]},
			"meta": {"type": "object", "minProperties": 2}
		},
		"definitions": {
			"component": {
				"type": "object",
				"required": ["name"],
				"additionalProperties": false,
				"properties": {
					"name": {"type": "string", "minLength": 1},
					"id": {"type": "string"},
					"expression": {"type": "string"},
					"hashes": {"type": "array", "uniqueItems": true}
				},
				"oneOf": [{"required": ["id"]}, {"required": ["expression"]}]
			}
		}
	}`)},
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, schema, doc string
		want              []Finding
	}{
		{"valid", "root.json", `{"name": "x", "tags": ["a"]}`, nil},
		{"missing name", "root.json", `{}`, []Finding{{Path: "", Message: "missing property 'name'"}}},
		{"bad ref'd item, format asserted", "root.json", `{"name": "x", "email": "nope", "tags": ["ok", "A/B"]}`, []Finding{
			{Path: "/email", Message: "'nope' is not valid email"},
			{Path: "/tags/1", Message: "'A/B' does not match pattern '^[a-z]+$'"},
		}},
		{"draft-07 valid", "bom.json", `{"format": "bom/v1", "serial": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
			"timestamp": "2024-09-14T10:47:51Z", "components": [{"name": "a", "id": "x"}], "pair": ["p"], "count": 3}`, nil},
		{"const, minItems, type", "bom.json", `{"format": "bom/v2", "components": [], "count": "3"}`, []Finding{
			{Path: "/components", Message: "minItems: got 0, want 1"},
			{Path: "/count", Message: "got string, want integer"},
			{Path: "/format", Message: "value must be 'bom/v1'"},
		}},
		{"formats asserted", "bom.json", `{"format": "bom/v1", "serial": "no scheme", "timestamp": "2020-04-13", "components": [{"name": "a", "id": "x"}]}`, []Finding{
			{Path: "/serial", Message: "'no scheme' is not valid uri"},
			{Path: "/timestamp", Message: "'2020-04-13' is not valid date-time"},
		}},
		{"additional properties named once on the object", "bom.json", `{"format": "bom/v1", "components": [{"name": "a", "id": "x", "zz": 1, "owner": 2}], "extra": true}`, []Finding{
			{Path: "", Message: "additional properties 'extra' not allowed"},
			{Path: "/components/0", Message: "additional properties 'owner', 'zz' not allowed"},
		}},
		{"additionalItems false", "bom.json", `{"format": "bom/v1", "components": [{"name": "a", "id": "x"}], "pair": ["a", "b", "c"]}`, []Finding{
			{Path: "/pair", Message: "last 2 additionalItem(s) not allowed"},
		}},
		{"missing required member is one finding, not a null value too", "bom.json", `{"format": "bom/v1", "components": [{"id": "x"}]}`, []Finding{
			{Path: "/components/0", Message: "missing property 'name'"},
		}},
		{"a oneOf branch not taken is no finding", "bom.json", `{"format": "bom/v1", "components": [{"name": "", "id": "x"}]}`, []Finding{
			{Path: "/components/0/name", Message: "minLength: got 0, want 1"},
		}},
		{"oneOf with no branch taken lists each branch", "bom.json", `{"format": "bom/v1", "components": [{"name": "a"}]}`, []Finding{
			{Path: "/components/0", Message: "missing property 'expression'"},
			{Path: "/components/0", Message: "missing property 'id'"},
		}},
		{"oneOf with two branches taken", "bom.json", `{"format": "bom/v1", "components": [{"name": "a", "id": "x", "expression": "y"}]}`, []Finding{
			{Path: "/components/0", Message: "'oneOf' failed, subschemas 0, 1 matched"},
		}},
		{"enum, maximum, minProperties, uniqueItems", "bom.json", `{"format": "bom/v1", "components": [{"name": "a", "id": "x", "hashes": [1, 1]}],
			"kind": "svc", "count": 10, "meta": {"a": 1}}`, []Finding{
			{Path: "/components/0/hashes", Message: "items at 0 and 1 are equal"},
			{Path: "/count", Message: "maximum: got 10, want 9"},
			{Path: "/kind", Message: "value must be one of 'app', 'lib'"},
			{Path: "/meta", Message: "minProperties: got 1, want 2"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Compile(schemas, base, tt.schema)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Validate(decode(t, tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// decode decodes as sdlkit's callers do, numbers as json.Number.
func decode(t *testing.T, doc string) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCompileServesOnlyEmbeddedSchemas(t *testing.T) {
	t.Parallel()
	tests := []struct{ root, want string }{
		{"remote.json", "never fetches"},
		{"gone.json", "nothere.json"},
		{"absent.json", "compile schema absent.json"},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			t.Parallel()
			_, err := Compile(schemas, base, tt.root)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestPointer(t *testing.T) {
	t.Parallel()
	if got := Pointer([]string{"a/b", "m~n", "0"}); got != "/a~1b/m~0n/0" {
		t.Errorf("Pointer = %q", got)
	}
	if got := Pointer(nil); got != "" {
		t.Errorf("Pointer(nil) = %q, want empty", got)
	}
}

func TestFindingPathsAreEscaped(t *testing.T) {
	t.Parallel()
	s, err := Compile(fstest.MapFS{"s.json": {Data: []byte(`{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"additionalProperties": {"type": "integer"}
	}`)}}, base, "s.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Validate(decode(t, `{"a/b": "x", "m~n": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{{Path: "/a~1b", Message: "got string, want integer"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
