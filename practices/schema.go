package practices

import (
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/sdlkit/sdlkit/internal/jsonschema"
)

//go:embed schema/catalog.schema.json
var schemaFS embed.FS

// SchemaJSON returns the JSON schema of catalog files, for suppliers who
// write extensions and editors that check them.
func SchemaJSON() []byte {
	data, _ := schemaFS.ReadFile("schema/catalog.schema.json")
	return data
}

// schemaBaseURL is where the catalog schema names itself ($id).
const schemaBaseURL = "https://github.com/sdlkit/sdlkit/practices/schema/"

func catalogSchema() (*jsonschema.Schema, error) {
	sub, err := fs.Sub(schemaFS, "schema")
	if err != nil {
		return nil, err
	}
	s, err := jsonschema.Compile(sub, schemaBaseURL, "catalog.schema.json")
	if err != nil {
		return nil, fmt.Errorf("catalog schema: %w", err)
	}
	return s, nil
}

// describe renders a schema finding with the ID of the entry it is in, so
// that "/requirements/12/evidence" reads "requirements[12] (SR-2): evidence".
func describe(doc any, f jsonschema.Finding) string {
	parts := strings.Split(strings.TrimPrefix(f.Path, "/"), "/")
	if len(parts) < 2 {
		return f.String()
	}
	i, err := strconv.Atoi(parts[1])
	if err != nil {
		return f.String()
	}
	where := fmt.Sprintf("%s[%d]", parts[0], i)
	if m, ok := doc.(map[string]any); ok {
		if list, ok := m[parts[0]].([]any); ok && i < len(list) {
			if entry, ok := list[i].(map[string]any); ok {
				if id, ok := entry["id"].(string); ok && id != "" {
					where += " (" + id + ")"
				}
			}
		}
	}
	if rest := strings.Join(parts[2:], "."); rest != "" {
		where += " " + rest
	}
	return where + ": " + f.Message
}
