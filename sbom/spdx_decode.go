package sbom

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// DecodeSPDX reads an SPDX 2.2 or 2.3 JSON document into the model. The
// packages the document DESCRIBES are the product (the first, when there
// are several; the others become components); DEPENDS_ON and
// DEPENDENCY_OF relationships are the graph. A package's bom-ref is its
// purl, or its SPDX identifier when it has none. name is used in errors.
func DecodeSPDX(r io.Reader, name string) (*BOM, error) {
	data, err := readLimited(r, name)
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(data, []byte(`"spdxVersion"`)) {
		return nil, fmt.Errorf("decode spdx %s: not an SPDX JSON document", name)
	}
	doc, err := spdxjson.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode spdx %s: %s", name, jsonErrorAt(data, err))
	}
	return fromSPDX(doc), nil
}

func fromSPDX(doc *spdx.Document) *BOM {
	b := &BOM{}
	if doc.CreationInfo != nil {
		for _, c := range doc.CreationInfo.Creators {
			if c.CreatorType == "Tool" {
				b.Tools = append(b.Tools, Tool{Name: c.Creator})
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
	var comps []Component
	for _, p := range doc.Packages {
		if p == nil {
			continue
		}
		c := fromSPDXPackage(p)
		refs[p.PackageSPDXIdentifier] = c.BOMRef
		if described[p.PackageSPDXIdentifier] && b.Product.BOMRef == "" {
			c.Type = TypeApplication
			b.Product = c
			continue
		}
		comps = append(comps, c)
	}
	b.Components = mergeModelComponents(comps)
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
	b.Dependencies = graphFromMap(graph)
	return b
}

func fromSPDXPackage(p *spdx.Package) Component {
	c := Component{Type: TypeLibrary, Name: p.PackageName, Version: p.PackageVersion}
	for _, ref := range p.PackageExternalReferences {
		if ref != nil && ref.RefType == common.TypePackageManagerPURL && c.PURL == "" {
			c.PURL = ref.Locator
		}
	}
	if name, _, ok := nameOfPURL(c.PURL); ok {
		c.Name = name
		c.Ecosystem = EcosystemOfPURL(c.PURL)
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
		c.Hashes = append(c.Hashes, Hash{Algorithm: alg, Value: strings.ToLower(h.Value)})
	}
	return c
}
