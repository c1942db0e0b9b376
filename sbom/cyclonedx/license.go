package cyclonedx

import (
	"github.com/sdlkit/sdlkit/sbom/internal/license"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// toCDXLicenses writes licenses as CycloneDX allows: a list of licenses,
// each an SPDX id (license.id) or, when not on the SPDX list, a name
// (license.name); or one SPDX expression alone. So one compound expression
// ("MIT OR Apache-2.0") is written as an expression, while an expression
// among several licenses is written as a name: CycloneDX does not mix the
// two, and joining them would invent how the licenses combine (a list means
// "all of" to some ecosystems and "any of" to others).
func toCDXLicenses(ls []string) *cdx.Licenses {
	if len(ls) == 0 {
		return nil
	}
	if len(ls) == 1 {
		if _, isID := license.ID(ls[0]); !isID {
			if expr, ok := license.Expression(ls[0]); ok {
				return &cdx.Licenses{{Expression: expr}}
			}
		}
	}
	out := make(cdx.Licenses, len(ls))
	for i, l := range ls {
		if id, ok := license.ID(l); ok {
			out[i] = cdx.LicenseChoice{License: &cdx.License{ID: id}}
		} else {
			out[i] = cdx.LicenseChoice{License: &cdx.License{Name: l}}
		}
	}
	return &out
}
