package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/tagvalue"
)

// DetectFormat tells which SBOM format data is in, from its first bytes and,
// for JSON, its top-level keys. It does not check the document; see
// Validate.
func DetectFormat(data []byte) (DocumentFormat, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	switch {
	case len(trimmed) == 0:
		return "", errors.New("empty document")
	case trimmed[0] == '{':
		return detectJSON(data)
	case trimmed[0] == '<':
		return FormatCycloneDXXML, nil
	case bytes.HasPrefix(trimmed, []byte("SPDXVersion:")) || bytes.HasPrefix(trimmed, []byte("#")):
		return FormatSPDXTagValue, nil
	}
	return "", ErrUnknownFormat
}

// detectJSON reads the top-level keys of a JSON object, skipping values.
func detectJSON(data []byte) (DocumentFormat, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return "", fmt.Errorf("parse json: %s", jsonErrorAt(data, err))
	}
	keys := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("parse json: %s", jsonErrorAt(data, err))
		}
		key, _ := tok.(string)
		keys[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", fmt.Errorf("parse json: %s", jsonErrorAt(data, err))
		}
	}
	return jsonFormat(func(k string) bool { return keys[k] })
}

// jsonFormat tells a JSON SBOM's format from its top-level keys.
func jsonFormat(has func(key string) bool) (DocumentFormat, error) {
	switch {
	case has("spdxVersion"):
		return FormatSPDXJSON, nil
	case has("bomFormat") || has("specVersion"):
		return FormatCycloneDXJSON, nil
	}
	return "", ErrUnknownFormat
}

// Decode reads an SBOM in any format DetectFormat knows into the model:
// CycloneDX JSON or XML with DecodeCycloneDX, SPDX JSON with DecodeSPDX,
// and SPDX tag-value by converting it to SPDX JSON with tools-golang first.
func Decode(r io.Reader, name string) (*BOM, error) {
	data, err := readLimited(r, name)
	if err != nil {
		return nil, err
	}
	format, err := DetectFormat(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	switch format {
	case FormatSPDXJSON:
		return DecodeSPDX(bytes.NewReader(data), name)
	case FormatSPDXTagValue:
		doc, err := tagvalue.Read(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("decode spdx %s: %w", name, err)
		}
		var buf bytes.Buffer
		if err := spdxjson.Write(doc, &buf); err != nil {
			return nil, fmt.Errorf("decode spdx %s: %w", name, err)
		}
		return DecodeSPDX(&buf, name)
	}
	return DecodeCycloneDX(bytes.NewReader(data), name)
}
