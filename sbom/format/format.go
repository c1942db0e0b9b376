// Package format recognises which SBOM format a document is in — CycloneDX
// JSON or XML, SPDX JSON or tag-value — and decodes any of them into the
// sbom model with the cyclonedx and spdx codecs.
package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/cyclonedx"
	"github.com/sdlkit/sdlkit/sbom/internal/docread"
	"github.com/sdlkit/sdlkit/sbom/internal/textpos"
	"github.com/sdlkit/sdlkit/sbom/spdx"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/tagvalue"
)

// Format names an SBOM document format.
type Format string

// The formats Detect recognises.
const (
	CycloneDXJSON Format = "cyclonedx-json"
	CycloneDXXML  Format = "cyclonedx-xml"
	SPDXJSON      Format = "spdx-json"
	SPDXTagValue  Format = "spdx-tag-value"
)

// MaxSize is the largest SBOM document sdlkit reads (256 MiB), and so the
// largest it writes where its output is read again.
const MaxSize = docread.MaxSize

// ErrUnknown is returned for a document that is neither CycloneDX nor SPDX.
var ErrUnknown = errors.New("unknown document format: not CycloneDX JSON or XML, nor SPDX JSON or tag-value")

// Detect tells which SBOM format data is in, from its first bytes and,
// for JSON, its top-level keys. It does not check the document; see
// Validate.
func Detect(data []byte) (Format, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	switch {
	case len(trimmed) == 0:
		return "", errors.New("empty document")
	case trimmed[0] == '{':
		return detectJSON(data)
	case trimmed[0] == '<':
		return CycloneDXXML, nil
	case bytes.HasPrefix(trimmed, []byte("SPDXVersion:")) || bytes.HasPrefix(trimmed, []byte("#")):
		return SPDXTagValue, nil
	}
	return "", ErrUnknown
}

// detectJSON reads the top-level keys of a JSON object, skipping values.
func detectJSON(data []byte) (Format, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return "", fmt.Errorf("parse json: %s", textpos.JSONErrorAt(data, err))
	}
	keys := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("parse json: %s", textpos.JSONErrorAt(data, err))
		}
		key, _ := tok.(string)
		keys[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", fmt.Errorf("parse json: %s", textpos.JSONErrorAt(data, err))
		}
	}
	return FromJSONKeys(func(k string) bool { return keys[k] })
}

// FromJSONKeys tells a JSON SBOM's format from its top-level keys.
func FromJSONKeys(has func(key string) bool) (Format, error) {
	switch {
	case has("spdxVersion"):
		return SPDXJSON, nil
	case has("bomFormat") || has("specVersion"):
		return CycloneDXJSON, nil
	}
	return "", ErrUnknown
}

// Decode reads an SBOM in any format Detect knows into the model:
// CycloneDX JSON or XML with cyclonedx.Decode, SPDX JSON with spdx.Decode,
// and SPDX tag-value by converting it to SPDX JSON with tools-golang first.
func Decode(r io.Reader, name string) (*sbom.BOM, error) {
	data, err := docread.ReadAll(r, name)
	if err != nil {
		return nil, err
	}
	format, err := Detect(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	switch format {
	case SPDXJSON:
		return spdx.Decode(bytes.NewReader(data), name)
	case SPDXTagValue:
		if line := textpos.InvalidUTF8Line(data); line > 0 {
			return nil, fmt.Errorf("decode spdx %s: line %d: %w", name, line, textpos.ErrInvalidUTF8)
		}
		doc, err := tagvalue.Read(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("decode spdx %s: %w", name, err)
		}
		var buf bytes.Buffer
		if err := spdxjson.Write(doc, &buf); err != nil {
			return nil, fmt.Errorf("decode spdx %s: %w", name, err)
		}
		return spdx.Decode(&buf, name)
	}
	return cyclonedx.Decode(bytes.NewReader(data), name)
}
