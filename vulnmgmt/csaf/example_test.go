package csaf_test

import (
	"fmt"
	"time"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/vulnmgmt/csaf"
)

// A csaf_vex for one release, validated, and the name it is published
// under.
func ExampleCreate() {
	release := &sbom.BOM{Product: sbom.Component{Name: "fw", Version: "1.2.0", PURL: "pkg:generic/acme/fw@1.2.0"}}
	doc, err := csaf.Create(csaf.Inputs{Releases: []csaf.Release{{BOM: release, File: "fw.cdx.json"}}}, csaf.Options{
		ID:        "ACME-2026-0007",
		Publisher: csaf.Publisher{Category: "vendor", Name: "ACME PSIRT", Namespace: "https://psirt.acme.example"},
		Now:       time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := csaf.ValidateAdvisory(doc, "acme.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc.Document.Category, doc.Document.Tracking.Version, doc.Document.Tracking.Status, r.Valid)
	fmt.Println(csaf.FileName(doc.Document.Tracking.ID))
	// Output:
	// csaf_vex 1 final true
	// acme-2026-0007.json
}
