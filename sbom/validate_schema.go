package sbom

import (
	"embed"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaFS holds the official CycloneDX JSON schemas; see schemas/README.md.
//
//go:embed schemas/*.json
var schemaFS embed.FS

// schemaBaseURL is where the schemas say they live ($id); their relative
// $refs resolve against it, and the loader serves them from schemaFS.
const schemaBaseURL = "http://cyclonedx.org/schema/"

// cycloneDXSchemaFiles maps each supported spec version to its schema.
var cycloneDXSchemaFiles = map[string]string{
	"1.4": "bom-1.4.schema.json",
	"1.5": "bom-1.5.schema.json",
	"1.6": "bom-1.6.schema.json",
	"1.7": "bom-1.7.schema.json",
}

// newestCycloneDX is the version whose schema checks a document that names
// no version: the schema then reports specVersion missing.
const newestCycloneDX = "1.7"

// schemaCache compiles each schema once per process; compiling bom-1.6 takes
// tens of milliseconds, validating a BOM far less.
var schemaCache struct {
	sync.Mutex
	compiled map[string]*jsonschema.Schema
}

// cycloneDXSchema returns the compiled schema for a spec version.
func cycloneDXSchema(version string) (*jsonschema.Schema, string, error) {
	file, ok := cycloneDXSchemaFiles[version]
	if !ok {
		return nil, "", fmt.Errorf("%w: CycloneDX %q (sdlkit validates 1.4 to 1.7)", ErrUnsupportedVersion, version)
	}
	schemaCache.Lock()
	defer schemaCache.Unlock()
	if s := schemaCache.compiled[file]; s != nil {
		return s, file, nil
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(embeddedLoader{})
	s, err := c.Compile(schemaBaseURL + file)
	if err != nil {
		// The schemas are embedded: failing to compile one is a bug.
		return nil, "", fmt.Errorf("compile embedded schema %s: %w", file, err)
	}
	if schemaCache.compiled == nil {
		schemaCache.compiled = map[string]*jsonschema.Schema{}
	}
	schemaCache.compiled[file] = s
	return s, file, nil
}

// embeddedLoader serves http://cyclonedx.org/schema/*.json from schemaFS and
// refuses every other URL, so validation never touches the network.
type embeddedLoader struct{}

// Load implements jsonschema.URLLoader.
func (embeddedLoader) Load(url string) (any, error) {
	name, ok := strings.CutPrefix(url, schemaBaseURL)
	if !ok || strings.Contains(name, "/") {
		return nil, fmt.Errorf("load schema %s: not embedded (sdlkit never fetches schemas)", url)
	}
	f, err := schemaFS.Open(path.Join("schemas", name))
	if err != nil {
		return nil, fmt.Errorf("load schema %s: %w", url, err)
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

// schemaPrinter renders schema errors in English.
var schemaPrinter = message.NewPrinter(language.English)

// schemaFindings turns a schema validation error into findings, one per
// leaf cause, capped at maxSchemaFindings.
func schemaFindings(err error) []Finding {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Finding{{Severity: SeverityError, Rule: RuleSchema, Message: err.Error()}}
	}
	var out []Finding
	seen := map[string]bool{}
	total := 0
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		f := Finding{Severity: SeverityError, Rule: RuleSchema, Location: pointer(e.InstanceLocation), Message: e.ErrorKind.LocalizedString(schemaPrinter)}
		if key := f.Location + "\x00" + f.Message; !seen[key] {
			seen[key] = true
			total++
			if len(out) < maxSchemaFindings {
				out = append(out, f)
			}
		}
	}
	walk(ve)
	if total > len(out) {
		out = append(out, Finding{Severity: SeverityError, Rule: RuleSchema, Message: fmt.Sprintf("%d more schema errors not shown", total-len(out))})
	}
	return out
}

// pointer builds a JSON Pointer (RFC 6901) from path tokens.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}
