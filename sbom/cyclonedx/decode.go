package cyclonedx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/internal/docread"
	"github.com/sdlkit/sdlkit/sbom/internal/textpos"
	"github.com/sdlkit/sdlkit/sbom/purl"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Decode reads a CycloneDX BOM, JSON or XML, spec 1.4 to 1.7, made
// by any tool, into the model. name is used in errors only (the file name).
//
// Nested components are flattened: a nested component that is a part of its
// parent — a file, or a package of the same version under the parent's name
// (cyclonedx-gomod nests a module's Go packages this way) — is dropped, as
// its parent already stands for it; any other nested component becomes a
// component of its own. Components without a bom-ref get one (their purl, or
// name@version). Components with the same bom-ref are merged. File
// components with hashes nested under metadata.component are the BOM's
// artifacts.
func Decode(r io.Reader, name string) (*sbom.BOM, error) {
	data, err := docread.ReadAll(r, name)
	if err != nil {
		return nil, err
	}
	doc, err := unmarshalCycloneDX(data, name)
	if err != nil {
		return nil, err
	}
	return fromCycloneDX(doc), nil
}

func unmarshalCycloneDX(data []byte, name string) (*cdx.BOM, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	var doc cdx.BOM
	switch {
	case len(trimmed) == 0:
		return nil, fmt.Errorf("decode cyclonedx %s: empty document", name)
	case trimmed[0] == '{':
		if err := textpos.CheckJSONUTF8(data); err != nil {
			return nil, fmt.Errorf("decode cyclonedx %s: %w", name, err)
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("decode cyclonedx %s: %s", name, textpos.JSONErrorAt(data, err))
		}
		if doc.BOMFormat != cdx.BOMFormat {
			return nil, fmt.Errorf("decode cyclonedx %s: %w (bomFormat is %q)", name, ErrNotCycloneDX, doc.BOMFormat)
		}
	case trimmed[0] == '<':
		if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatXML).Decode(&doc); err != nil {
			return nil, fmt.Errorf("decode cyclonedx %s: %s", name, textpos.XMLErrorAt(err))
		}
		if doc.SpecVersion == 0 {
			return nil, fmt.Errorf("decode cyclonedx %s: %w (xml namespace %q)", name, ErrNotCycloneDX, doc.XMLNS)
		}
	default:
		return nil, fmt.Errorf("decode cyclonedx %s: %w (neither JSON nor XML)", name, ErrNotCycloneDX)
	}
	if doc.SpecVersion < cdx.SpecVersion1_2 {
		return nil, fmt.Errorf("decode cyclonedx %s: spec version %s is not supported (1.2 to 1.7)", name, doc.SpecVersion)
	}
	return &doc, nil
}

func fromCycloneDX(doc *cdx.BOM) *sbom.BOM {
	b := &sbom.BOM{SerialNumber: doc.SerialNumber, Properties: fromCDXProperties(doc.Properties)}
	var flat []cdx.Component
	if md := doc.Metadata; md != nil {
		if t, err := time.Parse(time.RFC3339, md.Timestamp); err == nil {
			b.Timestamp = t
		}
		b.Tools = fromCDXTools(md.Tools)
		if md.Component != nil {
			b.Product = fromCDXComponent(*md.Component)
			if b.Product.Supplier == "" && md.Supplier != nil {
				b.Product.Supplier = md.Supplier.Name
			}
			b.Artifacts, flat = productParts(*md.Component)
		}
	}
	if doc.Components != nil {
		for _, c := range *doc.Components {
			flat = flatten(flat, c)
		}
	}
	b.Components = mergeComponents(flat)
	if doc.Dependencies != nil {
		b.Dependencies = fromCDXDependencies(*doc.Dependencies)
	}
	return b
}

// productParts splits what is nested under metadata.component into the
// artifacts (files with hashes) and other components.
func productParts(p cdx.Component) (arts []sbom.Artifact, rest []cdx.Component) {
	if p.Components == nil {
		return nil, nil
	}
	for _, c := range *p.Components {
		if c.Type == cdx.ComponentTypeFile && c.Hashes != nil && len(*c.Hashes) > 0 {
			a := sbom.Artifact{Name: c.Name, Hashes: fromCDXHashes(c.Hashes)}
			for _, p := range fromCDXProperties(c.Properties) {
				if p.Name == sbom.PropertySize {
					a.Size, _ = strconv.ParseInt(p.Value, 10, 64)
				}
			}
			arts = append(arts, a)
			continue
		}
		if !partOf(c, p) {
			rest = flatten(rest, c)
		}
	}
	return arts, rest
}

// flatten appends c and its nested components that are not parts of it.
func flatten(out []cdx.Component, c cdx.Component) []cdx.Component {
	children := c.Components
	c.Components = nil
	out = append(out, c)
	if children == nil {
		return out
	}
	for _, child := range *children {
		if partOf(child, c) {
			continue
		}
		out = flatten(out, child)
	}
	return out
}

// partOf reports whether child is a part of parent rather than a component
// in its own right: one of its files, or a package inside it (same version,
// the parent's name or under it).
func partOf(child, parent cdx.Component) bool {
	if child.Type == cdx.ComponentTypeFile {
		return true
	}
	if child.Version != parent.Version || child.Group != parent.Group {
		return false
	}
	return child.Name == parent.Name || strings.HasPrefix(child.Name, parent.Name+"/")
}

// mergeComponents converts, gives every component a bom-ref, merges those
// with the same ref and sorts them by ref.
func mergeComponents(cs []cdx.Component) []sbom.Component {
	out := make([]sbom.Component, 0, len(cs))
	for _, c := range cs {
		m := fromCDXComponent(c)
		if m.BOMRef == "" {
			m.BOMRef = m.PURL
		}
		if m.BOMRef == "" {
			m.BOMRef = m.Name + "@" + m.Version
		}
		out = append(out, m)
	}
	return sbom.MergeByRef(out)
}

func fromCDXComponent(c cdx.Component) sbom.Component {
	m := sbom.Component{
		BOMRef:     c.BOMRef,
		Type:       sbom.ComponentType(c.Type),
		Name:       c.Name,
		Version:    c.Version,
		PURL:       c.PackageURL,
		Scope:      sbom.Scope(c.Scope),
		Hashes:     fromCDXHashes(c.Hashes),
		Licenses:   fromCDXLicenses(c.Licenses),
		Properties: fromCDXProperties(c.Properties),
	}
	if c.Group != "" {
		m.Name = c.Group + "/" + c.Name
		if strings.Contains(c.PackageURL, "pkg:maven/") {
			m.Name = c.Group + ":" + c.Name
		}
	}
	if name, version, ok := purl.NameVersion(c.PackageURL); ok {
		m.Name = purl.PreferName(m.Name, name)
		if m.Version == "" {
			m.Version = version
		}
		m.Ecosystem = purl.Ecosystem(c.PackageURL)
	}
	if c.Supplier != nil {
		m.Supplier = c.Supplier.Name
	}
	if ev := c.Evidence; ev != nil {
		if len(m.Licenses) == 0 {
			m.Licenses = fromCDXLicenses(ev.Licenses)
		}
		if ev.Occurrences != nil {
			for _, o := range *ev.Occurrences {
				if o.Location != "" {
					m.Locations = append(m.Locations, o.Location)
				}
			}
			slices.Sort(m.Locations)
			m.Locations = slices.Compact(m.Locations)
		}
	}
	return m
}

func fromCDXHashes(hs *[]cdx.Hash) []sbom.Hash {
	if hs == nil || len(*hs) == 0 {
		return nil
	}
	out := make([]sbom.Hash, 0, len(*hs))
	for _, h := range *hs {
		out = append(out, sbom.Hash{Algorithm: string(h.Algorithm), Value: strings.ToLower(strings.TrimSpace(h.Value))})
	}
	return out
}

func fromCDXLicenses(ls *cdx.Licenses) []string {
	if ls == nil {
		return nil
	}
	var out []string
	for _, l := range *ls {
		switch {
		case l.Expression != "":
			out = append(out, l.Expression)
		case l.License != nil && l.License.ID != "":
			out = append(out, l.License.ID)
		case l.License != nil && l.License.Name != "":
			out = append(out, l.License.Name)
		}
	}
	return out
}

func fromCDXProperties(ps *[]cdx.Property) []sbom.Property {
	if ps == nil || len(*ps) == 0 {
		return nil
	}
	out := make([]sbom.Property, len(*ps))
	for i, p := range *ps {
		out[i] = sbom.Property{Name: p.Name, Value: p.Value}
	}
	return out
}

func fromCDXTools(tc *cdx.ToolsChoice) []sbom.Tool {
	if tc == nil {
		return nil
	}
	var out []sbom.Tool
	if tc.Tools != nil {
		for _, t := range *tc.Tools {
			out = append(out, sbom.Tool{Vendor: t.Vendor, Name: t.Name, Version: t.Version})
		}
	}
	if tc.Components != nil {
		for _, c := range *tc.Components {
			t := sbom.Tool{Vendor: c.Group, Name: c.Name, Version: c.Version}
			if c.Manufacturer != nil && c.Manufacturer.Name != "" {
				t.Vendor = c.Manufacturer.Name
			} else if c.Supplier != nil && c.Supplier.Name != "" {
				t.Vendor = c.Supplier.Name
			}
			out = append(out, t)
		}
	}
	if tc.Services != nil {
		for _, s := range *tc.Services {
			t := sbom.Tool{Name: s.Name, Version: s.Version}
			if s.Provider != nil {
				t.Vendor = s.Provider.Name
			}
			out = append(out, t)
		}
	}
	return out
}

// fromCDXDependencies converts the graph, merging entries for the same ref
// and sorting refs and their targets.
func fromCDXDependencies(ds []cdx.Dependency) []sbom.Dependency {
	byRef := make(map[string][]string, len(ds))
	for _, d := range ds {
		on := byRef[d.Ref]
		if d.Dependencies != nil {
			on = append(on, *d.Dependencies...)
		}
		byRef[d.Ref] = on
	}
	return sbom.NewDependencies(byRef)
}
