package validate

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sdlkit/sdlkit/sbom/format"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// cycloneDXNamespace prefixes the XML namespace of every CycloneDX version.
const cycloneDXNamespace = "http://cyclonedx.org/schema/bom/"

// viaJSON marks a schema check made on a document's JSON form.
const viaJSON = " via-json"

// validateCycloneDXXML decodes a CycloneDX XML document with cyclonedx-go
// and checks its JSON form: see the package notes on what this misses.
func validateCycloneDXXML(data []byte) (*Report, error) {
	version, err := xmlSpecVersion(data)
	if err != nil {
		return nil, err
	}
	if _, ok := cycloneDXSchemaFiles[version]; !ok {
		return nil, fmt.Errorf("%w: CycloneDX %q (sdlkit validates 1.4 to 1.7)", ErrUnsupportedVersion, version)
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatXML).Decode(&bom); err != nil {
		return nil, xmlError(data, err)
	}
	// XML carries the version in its namespace and has no bomFormat.
	bom.SpecVersion = specVersionOf(version)
	bom.BOMFormat = cdx.BOMFormat
	var buf bytes.Buffer
	// Encode, not EncodeVersion: a conversion would drop the very fields
	// that are wrong for this version.
	if err := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).Encode(&bom); err != nil {
		return nil, fmt.Errorf("convert xml to json: %w", err)
	}
	doc, err := decodeJSON(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("convert xml to json: %w", err)
	}
	obj, _ := doc.(map[string]any)
	return validateCycloneDX(obj, format.CycloneDXXML, viaJSON)
}

// xmlSpecVersion reads the spec version from the root element's namespace.
func xmlSpecVersion(data []byte) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", xmlError(data, err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		version, isCDX := strings.CutPrefix(start.Name.Space, cycloneDXNamespace)
		if start.Name.Local != "bom" || !isCDX {
			return "", format.ErrUnknown
		}
		return version, nil
	}
}

// specVersionOf maps "1.6" to cdx.SpecVersion1_6; the caller has checked
// that the version is supported.
func specVersionOf(v string) cdx.SpecVersion {
	for sv := cdx.SpecVersion1_4; sv <= cdx.SpecVersion1_7; sv++ {
		if sv.String() == v {
			return sv
		}
	}
	return cdx.SpecVersion1_6
}

// xmlError names the line of an XML syntax error.
func xmlError(data []byte, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("parse xml: line %d: %s", se.Line, se.Msg)
	}
	if errors.Is(err, io.EOF) {
		return errors.New("parse xml: no root element")
	}
	return fmt.Errorf("parse xml: %w", err)
}
