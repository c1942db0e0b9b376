// Package cyclonedx reads and writes the sbom model as CycloneDX, JSON or
// XML, with cyclonedx-go. It writes spec 1.6 (or 1.5) and reads 1.2 to 1.7
// from any tool.
//
// Written as CycloneDX allows: the product is metadata.component and the
// artifacts are file components nested in it; licenses on the SPDX list are
// license.id, others license.name, and a lone SPDX expression whose ids are
// all on the list is one expression (the list is the enum of the embedded
// spdx.schema.json, which the CycloneDX schema checks license.id against).
// Output depends only on the BOM: the serial number is derived from the
// content when the BOM has none.
package cyclonedx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sdlkit/sdlkit/sbom/internal/serial"

	"github.com/sdlkit/sdlkit/sbom"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Spec versions of CycloneDX that sdlkit writes.
const (
	SpecVersion16 = "1.6"
	SpecVersion15 = "1.5"
)

// EncodeOptions choose how a BOM is written.
type EncodeOptions struct {
	// XML writes CycloneDX XML instead of JSON.
	XML bool
	// SpecVersion is SpecVersion16 (the default) or SpecVersion15.
	SpecVersion string
	// Vulnerabilities, when set, are written in the BOM's vulnerabilities
	// section: a vulnerability disclosure report (VDR) or embedded VEX.
	Vulnerabilities []cdx.Vulnerability
}

var specVersions = map[string]struct {
	v      cdx.SpecVersion
	schema string
	xmlns  string
}{
	SpecVersion16: {cdx.SpecVersion1_6, "http://cyclonedx.org/schema/bom-1.6.schema.json", "http://cyclonedx.org/schema/bom/1.6"},
	SpecVersion15: {cdx.SpecVersion1_5, "http://cyclonedx.org/schema/bom-1.5.schema.json", "http://cyclonedx.org/schema/bom/1.5"},
}

// Encode writes b as a CycloneDX document. The output depends only
// on b: when b.SerialNumber is empty it is derived from the rest of the
// document, so that the same BOM always gives the same bytes.
func Encode(w io.Writer, b *sbom.BOM, opts EncodeOptions) error {
	if opts.SpecVersion == "" {
		opts.SpecVersion = SpecVersion16
	}
	sv, ok := specVersions[opts.SpecVersion]
	if !ok {
		return fmt.Errorf("encode cyclonedx: unsupported spec version %q (use 1.6 or 1.5)", opts.SpecVersion)
	}
	ff := cdx.BOMFileFormatJSON
	if opts.XML {
		ff = cdx.BOMFileFormatXML
	}
	doc := toCycloneDX(b)
	doc.SpecVersion, doc.JSONSchema, doc.XMLNS = sv.v, sv.schema, sv.xmlns
	if len(opts.Vulnerabilities) > 0 {
		vulns := slices.Clone(opts.Vulnerabilities)
		doc.Vulnerabilities = &vulns
	}
	if ff == cdx.BOMFileFormatXML {
		doc.JSONSchema = ""
	}
	if doc.SerialNumber == "" {
		var buf bytes.Buffer
		if err := encodeDoc(&buf, doc, ff); err != nil {
			return err
		}
		doc.SerialNumber = serial.FromContent(buf.Bytes())
	}
	return encodeDoc(w, doc, ff)
}

func encodeDoc(w io.Writer, doc *cdx.BOM, ff cdx.BOMFileFormat) error {
	enc := cdx.NewBOMEncoder(w, ff).SetPretty(true).SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode cyclonedx: %w", err)
	}
	if ff == cdx.BOMFileFormatXML {
		_, err := io.WriteString(w, "\n")
		return err
	}
	return nil
}

func toCycloneDX(b *sbom.BOM) *cdx.BOM {
	doc := &cdx.BOM{BOMFormat: cdx.BOMFormat, Version: 1, SerialNumber: b.SerialNumber}
	md := &cdx.Metadata{}
	if !b.Timestamp.IsZero() {
		md.Timestamp = b.Timestamp.UTC().Format(time.RFC3339)
	}
	if len(b.Tools) > 0 {
		tools := make([]cdx.Component, 0, len(b.Tools))
		for _, t := range b.Tools {
			tc := cdx.Component{Type: cdx.ComponentTypeApplication, Name: t.Name, Version: t.Version}
			if t.Vendor != "" {
				tc.Group = t.Vendor
			}
			tools = append(tools, tc)
		}
		md.Tools = &cdx.ToolsChoice{Components: &tools}
	}
	if b.Product.Name != "" || b.Product.BOMRef != "" {
		p := toCDXComponent(b.Product)
		if p.Type == "" {
			p.Type = cdx.ComponentTypeApplication
		}
		if arts := artifactComponents(b.Artifacts); len(arts) > 0 {
			p.Components = &arts
		}
		md.Component = &p
		if p.Supplier != nil {
			md.Supplier = &cdx.OrganizationalEntity{Name: p.Supplier.Name}
		}
	}
	doc.Metadata = md
	if len(b.Components) > 0 {
		cs := make([]cdx.Component, len(b.Components))
		for i, c := range b.Components {
			cs[i] = toCDXComponent(c)
		}
		doc.Components = &cs
	}
	if len(b.Dependencies) > 0 {
		deps := make([]cdx.Dependency, len(b.Dependencies))
		for i, d := range b.Dependencies {
			deps[i] = cdx.Dependency{Ref: d.Ref}
			if len(d.DependsOn) > 0 {
				on := slices.Clone(d.DependsOn)
				deps[i].Dependencies = &on
			}
		}
		doc.Dependencies = &deps
	}
	doc.Properties = toCDXProperties(b.Properties)
	return doc
}

func toCDXComponent(c sbom.Component) cdx.Component {
	group, name := splitGroup(c.Ecosystem, c.Name)
	out := cdx.Component{
		BOMRef:     c.BOMRef,
		Type:       cdx.ComponentType(c.Type),
		Group:      group,
		Name:       name,
		Version:    c.Version,
		PackageURL: c.PURL,
		Scope:      cdx.Scope(c.Scope),
		Hashes:     toCDXHashes(c.Hashes),
		Licenses:   toCDXLicenses(c.Licenses),
		Properties: toCDXProperties(c.Properties),
	}
	if out.Type == "" {
		out.Type = cdx.ComponentTypeLibrary
	}
	if c.Supplier != "" {
		out.Supplier = &cdx.OrganizationalEntity{Name: c.Supplier}
	}
	if len(c.Locations) > 0 {
		occ := make([]cdx.EvidenceOccurrence, len(c.Locations))
		for i, l := range c.Locations {
			occ[i] = cdx.EvidenceOccurrence{Location: l}
		}
		out.Evidence = &cdx.Evidence{Occurrences: &occ}
	}
	return out
}

func artifactComponents(arts []sbom.Artifact) []cdx.Component {
	out := make([]cdx.Component, 0, len(arts))
	for _, a := range arts {
		c := cdx.Component{
			BOMRef: sbom.ArtifactRefPrefix + a.Name,
			Type:   cdx.ComponentTypeFile,
			Name:   a.Name,
			Hashes: toCDXHashes(a.Hashes),
		}
		if a.Size > 0 {
			c.Properties = &[]cdx.Property{{Name: sbom.PropertySize, Value: strconv.FormatInt(a.Size, 10)}}
		}
		out = append(out, c)
	}
	return out
}

func toCDXHashes(hs []sbom.Hash) *[]cdx.Hash {
	if len(hs) == 0 {
		return nil
	}
	out := make([]cdx.Hash, len(hs))
	for i, h := range hs {
		out[i] = cdx.Hash{Algorithm: cdx.HashAlgorithm(h.Algorithm), Value: h.Value}
	}
	return &out
}

func toCDXProperties(ps []sbom.Property) *[]cdx.Property {
	if len(ps) == 0 {
		return nil
	}
	out := make([]cdx.Property, len(ps))
	for i, p := range ps {
		out[i] = cdx.Property{Name: p.Name, Value: p.Value}
	}
	return &out
}

// ErrNotCycloneDX is returned by Decode for a document that is not a
// CycloneDX BOM at all, as opposed to a malformed one.
var ErrNotCycloneDX = errors.New("not a CycloneDX document")

// splitGroup splits a name into CycloneDX group and name: Maven groupId and
// artifactId, npm scope and name. Other ecosystems keep the whole name.
func splitGroup(ecosystem, name string) (group, short string) {
	switch ecosystem {
	case "Maven":
		if i := strings.IndexByte(name, ':'); i >= 0 {
			return name[:i], name[i+1:]
		}
	case "npm":
		if strings.HasPrefix(name, "@") {
			if i := strings.IndexByte(name, '/'); i >= 0 {
				return name[:i], name[i+1:]
			}
		}
	}
	return "", name
}
