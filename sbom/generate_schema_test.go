package sbom

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fixtureSchema compiles an official CycloneDX JSON schema from the shared
// fixtures, with a loader that never leaves them.
func fixtureSchema(t *testing.T, file string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(fixtureLoader{})
	s, err := c.Compile("http://cyclonedx.org/schema/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type fixtureLoader struct{}

func (fixtureLoader) Load(url string) (any, error) {
	name, ok := strings.CutPrefix(url, "http://cyclonedx.org/schema/")
	if !ok {
		return nil, fmt.Errorf("load %s: not a fixture", url)
	}
	f, err := os.Open(filepath.Join(fixtures, "cyclonedx", "schema", name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

// TestGenerateOutputValidates checks sdlkit's output for every fixture
// lockfile, and for the hand-written polyglot tree, against the official
// CycloneDX 1.6 and 1.5 schemas.
func TestGenerateOutputValidates(t *testing.T) {
	t.Parallel()
	schemas := map[string]*jsonschema.Schema{
		SpecVersion16: fixtureSchema(t, "bom-1.6.schema.json"),
		SpecVersion15: fixtureSchema(t, "bom-1.5.schema.json"),
	}
	entries, err := os.ReadDir(lockfiles)
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{filepath.Join("testdata", "polyglot")}
	for _, e := range entries {
		dirs = append(dirs, filepath.Join(lockfiles, e.Name()))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			b, err := Generate(context.Background(), dir, GenerateOptions{
				IncludeDev: true, Tool: Tool{Name: "sdlkit", Version: "test"},
				Supplier: "Example GmbH", Artifacts: []string{filepath.Join("testdata", "polyglot", "README.md")},
			})
			if err != nil {
				t.Fatal(err)
			}
			for v, s := range schemas {
				var buf bytes.Buffer
				if err := EncodeCycloneDX(&buf, b, EncodeOptions{SpecVersion: v}); err != nil {
					t.Fatal(err)
				}
				doc, err := jsonschema.UnmarshalJSON(&buf)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Validate(doc); err != nil {
					t.Errorf("CycloneDX %s: %v", v, err)
				}
			}
		})
	}
}

// TestSchemaCatchesBadOutput makes sure the schema check above can fail.
func TestSchemaCatchesBadOutput(t *testing.T) {
	t.Parallel()
	b := testBOM()
	b.Components[0].Hashes = []Hash{{Algorithm: "SHA-256", Value: "not hex"}}
	var buf bytes.Buffer
	if err := EncodeCycloneDX(&buf, b, EncodeOptions{}); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := fixtureSchema(t, "bom-1.6.schema.json").Validate(doc); err == nil {
		t.Error("a BOM with a malformed hash validates")
	}
}
