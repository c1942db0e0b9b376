// Package schema embeds the OASIS CSAF 2.0 JSON schemas (the document and
// the provider metadata) and the FIRST CVSS v2.0, v3.0 and v3.1 schemas the
// document schema references, unchanged from oasis-tcs/csaf @ 27af37f5
// (csaf_2.0/json_schema and csaf_2.0/referenced_schema/first; LICENSE.md).
//
// The CSAF schema names the CVSS schemas by their own URLs at first.org;
// FS serves every schema under one base URL, BaseURL, rewriting those
// references as it reads the CSAF schema, so that internal/jsonschema can
// compile them from here and never from the network.
package schema

import (
	"bytes"
	"embed"
	"io/fs"
	"testing/fstest"
)

// BaseURL is the $id prefix of the CSAF schemas.
const BaseURL = "https://docs.oasis-open.org/csaf/csaf/v2.0/"

// Document and Provider are the root schemas' file names.
const (
	Document = "csaf_json_schema.json"
	Provider = "provider_json_schema.json"
)

// firstBase is where the CSAF schema says the CVSS schemas are.
const firstBase = "https://www.first.org/cvss/"

//go:embed *.json
var files embed.FS

// FS returns the schemas with the CVSS references pointing under BaseURL.
func FS() (fs.FS, error) {
	out := fstest.MapFS{}
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		data, err := fs.ReadFile(files, e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = &fstest.MapFile{Data: bytes.ReplaceAll(data, []byte(`"$ref": "`+firstBase), []byte(`"$ref": "`+BaseURL))}
	}
	return out, nil
}
