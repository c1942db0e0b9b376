package spdx

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/internal/docread"
	"github.com/sdlkit/sdlkit/sbom/internal/textpos"
	"github.com/sdlkit/sdlkit/sbom/purl"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// Decode reads an SPDX 2.2 or 2.3 JSON document into the model. The
// packages the document DESCRIBES are the product (the first, when there
// are several; the others become components); DEPENDS_ON and
// DEPENDENCY_OF relationships are the graph. A package's bom-ref is its
// purl, or its SPDX identifier when it has none. name is used in errors.
func Decode(r io.Reader, name string) (*sbom.BOM, error) {
	data, err := docread.ReadAll(r, name)
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(data, []byte(`"spdxVersion"`)) {
		return nil, fmt.Errorf("decode spdx %s: not an SPDX JSON document", name)
	}
	if err := textpos.CheckJSONUTF8(data); err != nil {
		return nil, fmt.Errorf("decode spdx %s: %w", name, err)
	}
	doc, err := spdxjson.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode spdx %s: %s", name, textpos.JSONErrorAt(data, err))
	}
	return fromSPDX(doc), nil
}

func fromSPDX(doc *spdx.Document) *sbom.BOM {
	b := &sbom.BOM{}
	if doc.CreationInfo != nil {
		for _, c := range doc.CreationInfo.Creators {
			if c.CreatorType == "Tool" {
				b.Tools = append(b.Tools, sbom.Tool{Name: c.Creator})
			}
		}
	}
	described := map[common.ElementID]bool{}
	for _, r := range doc.Relationships {
		if r != nil && r.Relationship == "DESCRIBES" && r.RefA.ElementRefID == "DOCUMENT" {
			described[r.RefB.ElementRefID] = true
		}
	}
	refs := map[common.ElementID]string{}
	var comps []sbom.Component
	for _, p := range doc.Packages {
		if p == nil {
			continue
		}
		c := fromSPDXPackage(p)
		refs[p.PackageSPDXIdentifier] = c.BOMRef
		if described[p.PackageSPDXIdentifier] && b.Product.BOMRef == "" {
			c.Type = sbom.TypeApplication
			b.Product = c
			continue
		}
		comps = append(comps, c)
	}
	b.Components = sbom.MergeByRef(comps)
	graph := map[string][]string{}
	for _, r := range doc.Relationships {
		if r == nil {
			continue
		}
		from, to := refs[r.RefA.ElementRefID], refs[r.RefB.ElementRefID]
		if from == "" || to == "" {
			continue
		}
		switch r.Relationship {
		case "DEPENDS_ON":
			graph[from] = append(graph[from], to)
		case "DEPENDENCY_OF":
			graph[to] = append(graph[to], from)
		}
	}
	b.Dependencies = sbom.NewDependencies(graph)
	return b
}

func fromSPDXPackage(p *spdx.Package) sbom.Component {
	c := sbom.Component{Type: sbom.TypeLibrary, Name: p.PackageName, Version: p.PackageVersion}
	for _, ref := range p.PackageExternalReferences {
		if ref != nil && ref.RefType == common.TypePackageManagerPURL && c.PURL == "" {
			c.PURL = ref.Locator
		}
	}
	if name, _, ok := purl.NameVersion(c.PURL); ok {
		c.Name = purl.PreferName(c.Name, name)
		c.Ecosystem = purl.Ecosystem(c.PURL)
	}
	c.BOMRef = c.PURL
	if c.BOMRef == "" {
		c.BOMRef = "SPDXRef-" + string(p.PackageSPDXIdentifier)
	}
	if p.PackageSupplier != nil && p.PackageSupplier.Supplier != noAssertion {
		c.Supplier = p.PackageSupplier.Supplier
	}
	for _, l := range []string{p.PackageLicenseDeclared, p.PackageLicenseConcluded} {
		if l != "" && l != noAssertion && l != "NONE" {
			c.Licenses = []string{l}
			break
		}
	}
	for _, h := range p.PackageChecksums {
		alg := string(h.Algorithm)
		if strings.HasPrefix(alg, "SHA") && !strings.HasPrefix(alg, "SHA3") {
			alg = "SHA-" + strings.TrimPrefix(alg, "SHA")
		}
		c.Hashes = append(c.Hashes, sbom.Hash{Algorithm: alg, Value: strings.ToLower(h.Value)})
	}
	return c
}
