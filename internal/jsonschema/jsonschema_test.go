package jsonschema

import (
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
}

func TestValidate(t *testing.T) {
	t.Parallel()
	s, err := Compile(schemas, base, "root.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  string
		want []Finding
	}{
		{"valid", `{"name": "x", "tags": ["a"]}`, nil},
		{"missing name", `{}`, []Finding{{Path: "", Message: "missing property 'name'"}}},
		{"bad ref'd item, format asserted", `{"name": "x", "email": "nope", "tags": ["ok", "A/B"]}`, []Finding{
			{Path: "/email", Message: "'nope' is not valid email: missing @"},
			{Path: "/tags/1", Message: "'A/B' does not match pattern '^[a-z]+$'"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var doc any
			if err := json.Unmarshal([]byte(tt.doc), &doc); err != nil {
				t.Fatal(err)
			}
			got, err := s.Validate(doc)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompileNeverFetches(t *testing.T) {
	t.Parallel()
	_, err := Compile(schemas, base, "remote.json")
	if err == nil || !strings.Contains(err.Error(), "never fetches") {
		t.Errorf("err = %v, want a refusal to fetch", err)
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
