// Package schemas embeds the official CycloneDX JSON schemas, with the SPDX
// license list and JSF schemas they reference, from CycloneDX/specification
// (see README.md beside this file). The validator compiles them; the codecs
// read the SPDX license list from spdx.schema.json.
package schemas

import "embed"

// FS holds the schema files by their file names, e.g. "bom-1.6.schema.json".
//
//go:embed *.json
var FS embed.FS

// BaseURL is where the schemas say they live ($id): their relative $refs
// resolve against it.
const BaseURL = "http://cyclonedx.org/schema/"
