package validate

import (
	"fmt"
	"sync"

	"github.com/sdlkit/sdlkit/sbom/internal/schemas"

	"github.com/sdlkit/sdlkit/internal/jsonschema"
)

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
	s, err := jsonschema.Compile(schemas.FS, schemas.BaseURL, file)
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

// schemaFindings validates obj against s and returns one finding per schema
// error, capped at maxSchemaFindings.
func schemaFindings(s *jsonschema.Schema, obj any) []Finding {
	found, err := s.Validate(obj)
	if err != nil {
		return []Finding{{Severity: SeverityError, Rule: RuleSchema, Message: err.Error()}}
	}
	var out []Finding
	for _, f := range found {
		if len(out) == maxSchemaFindings {
			out = append(out, Finding{Severity: SeverityError, Rule: RuleSchema, Message: fmt.Sprintf("%d more schema errors not shown", len(found)-maxSchemaFindings)})
			break
		}
		out = append(out, Finding{Severity: SeverityError, Rule: RuleSchema, Location: f.Path, Message: f.Message})
	}
	return out
}
