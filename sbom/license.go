package sbom

import (
	"encoding/json"
	"strings"
	"sync"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// spdxIDs maps each SPDX license and exception id, lowercased, to its
// spelling in the SPDX license list. The list is the enum of CycloneDX's
// spdx.schema.json (embedded in schemas/), which is also what a
// CycloneDX license.id must be one of.
var spdxIDs = sync.OnceValue(func() map[string]string {
	data, err := schemaFS.ReadFile("schemas/spdx.schema.json")
	if err != nil {
		panic("sbom: embedded spdx.schema.json: " + err.Error()) // embedded: a build bug
	}
	var s struct{ Enum []string }
	if err := json.Unmarshal(data, &s); err != nil {
		panic("sbom: embedded spdx.schema.json: " + err.Error())
	}
	m := make(map[string]string, len(s.Enum))
	for _, id := range s.Enum {
		m[strings.ToLower(id)] = id
	}
	return m
})

// spdxLicenseID returns s as an SPDX license id from the list, in the
// list's spelling (ids match case-insensitively), and whether it is one.
func spdxLicenseID(s string) (string, bool) {
	id, ok := spdxIDs()[strings.ToLower(strings.TrimSpace(s))]
	return id, ok
}

// spdxExpression returns s as an SPDX license expression whose ids are all
// on the SPDX list (or LicenseRef-/DocumentRef- references), with the ids
// in the list's spelling, and whether it is one. Exceptions after WITH are
// checked against the same list, which holds both.
func spdxExpression(s string) (string, bool) {
	if !isSPDXExpression(s) {
		return "", false
	}
	fields := strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(s))
	depth := 0
	for i, f := range fields {
		switch f {
		case "(":
			depth++
		case ")":
			if depth--; depth < 0 {
				return "", false
			}
		case "AND", "OR", "WITH":
		default:
			id, ok := spdxTerm(f)
			if !ok {
				return "", false
			}
			fields[i] = id
		}
	}
	if depth != 0 {
		return "", false
	}
	out := strings.Join(fields, " ")
	return strings.NewReplacer("( ", "(", " )", ")").Replace(out), true
}

// spdxTerm checks one id of an expression: a listed id, optionally with
// "+" (or later versions), or a license reference.
func spdxTerm(f string) (string, bool) {
	if strings.HasPrefix(f, "LicenseRef-") || strings.HasPrefix(f, "DocumentRef-") {
		return f, true
	}
	if id, ok := spdxLicenseID(f); ok {
		return id, true
	}
	if base, ok := strings.CutSuffix(f, "+"); ok {
		if id, ok := spdxLicenseID(base); ok {
			return id + "+", true
		}
	}
	return "", false
}

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
		if _, isID := spdxLicenseID(ls[0]); !isID {
			if expr, ok := spdxExpression(ls[0]); ok {
				return &cdx.Licenses{{Expression: expr}}
			}
		}
	}
	out := make(cdx.Licenses, len(ls))
	for i, l := range ls {
		if id, ok := spdxLicenseID(l); ok {
			out[i] = cdx.LicenseChoice{License: &cdx.License{ID: id}}
		} else {
			out[i] = cdx.LicenseChoice{License: &cdx.License{Name: l}}
		}
	}
	return &out
}
