// Package spdx reads and writes the sbom model as SPDX 2.3 JSON (and reads
// SPDX 2.2 and 2.3), with spdx/tools-golang, for customers who require SPDX.
package spdx

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/internal/license"
	"github.com/sdlkit/sdlkit/sbom/internal/serial"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

const (
	noAssertion = "NOASSERTION"
	// spdxNamespace prefixes document namespaces; the rest is derived from
	// the content, as a CycloneDX serial number is.
	spdxNamespace = "https://sdlkit.dev/spdxdocs/"
	productID     = "Product"
)

// Encode writes b as an SPDX 2.3 JSON document, for customers who
// require SPDX. The product is the package the document DESCRIBES; the
// components are packages with their purl as a PACKAGE-MANAGER reference;
// the graph is DEPENDS_ON relationships; artifacts are FILE packages the
// product CONTAINS. SPDX requires a creation time: without b.Timestamp it is
// the Unix epoch, so that output stays reproducible. Like cyclonedx.Encode,
// the output depends on b only.
func Encode(w io.Writer, b *sbom.BOM) error {
	doc := toSPDX(b)
	if doc.DocumentNamespace == "" {
		var buf bytes.Buffer
		if err := spdxjson.Write(doc, &buf); err != nil {
			return fmt.Errorf("encode spdx: %w", err)
		}
		doc.DocumentNamespace = spdxNamespace + spdxIDPart(doc.DocumentName) + "-" + strings.TrimPrefix(serial.FromContent(buf.Bytes()), "urn:uuid:")
	}
	if err := spdxjson.Write(doc, w, spdxjson.Indent("  "), spdxjson.EscapeHTML(false)); err != nil {
		return fmt.Errorf("encode spdx: %w", err)
	}
	return nil
}

func toSPDX(b *sbom.BOM) *spdx.Document {
	name := b.Product.Name
	if b.Product.Version != "" {
		name += "@" + b.Product.Version
	}
	created := b.Timestamp
	if created.IsZero() {
		created = time.Unix(0, 0)
	}
	doc := &spdx.Document{
		SPDXVersion:    spdx.Version,
		DataLicense:    spdx.DataLicense,
		SPDXIdentifier: "DOCUMENT",
		DocumentName:   name,
		CreationInfo:   &spdx.CreationInfo{Created: created.UTC().Format(time.RFC3339)},
	}
	if uuid, ok := strings.CutPrefix(b.SerialNumber, "urn:uuid:"); ok {
		doc.DocumentNamespace = spdxNamespace + spdxIDPart(name) + "-" + uuid
	}
	for _, t := range b.Tools {
		doc.CreationInfo.Creators = append(doc.CreationInfo.Creators, common.Creator{CreatorType: "Tool", Creator: t.Name + "-" + t.Version})
	}
	if b.Product.Supplier != "" {
		doc.CreationInfo.Creators = append(doc.CreationInfo.Creators, common.Creator{CreatorType: "Organization", Creator: b.Product.Supplier})
	}
	if len(doc.CreationInfo.Creators) == 0 {
		doc.CreationInfo.Creators = []common.Creator{{CreatorType: "Tool", Creator: "sdlkit"}}
	}
	var comments []string
	for _, p := range b.Properties {
		comments = append(comments, p.Name+": "+p.Value)
	}
	doc.DocumentComment = strings.Join(comments, "\n")

	ids := map[string]common.ElementID{b.Product.BOMRef: productID}
	product := spdxPackage(b.Product, productID)
	product.PrimaryPackagePurpose = "APPLICATION"
	doc.Packages = append(doc.Packages, product)
	doc.Relationships = append(doc.Relationships, relationship("DOCUMENT", productID, "DESCRIBES"))
	for _, c := range b.Components {
		id := spdxID(c.BOMRef)
		ids[c.BOMRef] = id
		doc.Packages = append(doc.Packages, spdxPackage(c, id))
	}
	for _, a := range b.Artifacts {
		id := spdxID(sbom.ArtifactRefPrefix + a.Name)
		// An artifact is a build of the product: it has its version.
		doc.Packages = append(doc.Packages, spdxPackage(sbom.Component{Name: a.Name, Version: b.Product.Version, Hashes: a.Hashes}, id))
		doc.Packages[len(doc.Packages)-1].PrimaryPackagePurpose = "FILE"
		doc.Relationships = append(doc.Relationships, relationship(productID, id, "CONTAINS"))
	}
	for _, d := range b.Dependencies {
		from, ok := ids[d.Ref]
		if !ok {
			continue
		}
		for _, on := range d.DependsOn {
			if to, ok := ids[on]; ok {
				doc.Relationships = append(doc.Relationships, relationship(from, to, "DEPENDS_ON"))
			}
		}
	}
	return doc
}

func relationship(a, b common.ElementID, typ string) *spdx.Relationship {
	return &spdx.Relationship{RefA: common.MakeDocElementID("", string(a)), RefB: common.MakeDocElementID("", string(b)), Relationship: typ}
}

func spdxPackage(c sbom.Component, id common.ElementID) *spdx.Package {
	p := &spdx.Package{
		PackageName:             c.Name,
		PackageSPDXIdentifier:   id,
		PackageVersion:          c.Version,
		PackageDownloadLocation: noAssertion,
		PackageLicenseConcluded: noAssertion,
		PackageLicenseDeclared:  noAssertion,
		PackageCopyrightText:    noAssertion,
	}
	if c.Supplier != "" {
		p.PackageSupplier = &common.Supplier{Supplier: c.Supplier, SupplierType: "Organization"}
	}
	if len(c.Licenses) == 1 {
		if expr, ok := license.Expression(c.Licenses[0]); ok {
			p.PackageLicenseDeclared = expr
		}
	}
	for _, h := range c.Hashes {
		if alg := strings.ReplaceAll(h.Algorithm, "-", ""); alg != "" {
			p.PackageChecksums = append(p.PackageChecksums, common.Checksum{Algorithm: common.ChecksumAlgorithm(alg), Value: h.Value})
		}
	}
	if c.PURL != "" {
		p.PackageExternalReferences = []*spdx.PackageExternalReference{{Category: common.CategoryPackageManager, RefType: common.TypePackageManagerPURL, Locator: c.PURL}}
	}
	return p
}

var notIDChar = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// spdxIDPart makes s fit an SPDX identifier: letters, digits, "." and "-".
func spdxIDPart(s string) string {
	return strings.Trim(notIDChar.ReplaceAllString(s, "-"), "-")
}

// spdxID derives a package's SPDX identifier from its bom-ref: readable,
// and unique through a short hash of the whole ref.
func spdxID(ref string) common.ElementID {
	sum := sha256.Sum256([]byte(ref))
	part := spdxIDPart(strings.TrimPrefix(ref, "pkg:"))
	if len(part) > 80 {
		part = part[:80]
	}
	return common.ElementID(fmt.Sprintf("Package-%s-%x", part, sum[:4]))
}
