// Package license checks and normalises SPDX license ids and expressions
// against the SPDX license list, the enum of CycloneDX's spdx.schema.json.
//
// It is written by hand: the list is the one the CycloneDX schema checks
// license.id against, so the codecs must agree with exactly that list, and
// the expression syntax sdlkit needs (ids, AND, OR, WITH, parentheses, "+")
// is a few lines.
package license

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/sdlkit/sdlkit/sbom/internal/schemas"
)

// ids maps each SPDX license and exception id, lowercased, to its spelling
// in the SPDX license list. It is read on first use, not at start-up.
var ids = sync.OnceValue(func() map[string]string {
	data, err := schemas.FS.ReadFile("spdx.schema.json")
	if err != nil {
		panic("license: embedded spdx.schema.json: " + err.Error()) // embedded: a build bug
	}
	var s struct{ Enum []string }
	if err := json.Unmarshal(data, &s); err != nil {
		panic("license: embedded spdx.schema.json: " + err.Error())
	}
	m := make(map[string]string, len(s.Enum))
	for _, id := range s.Enum {
		m[strings.ToLower(id)] = id
	}
	return m
})

// ID returns s as an SPDX license id from the list, in the list's spelling
// (ids match case-insensitively), and whether it is one.
func ID(s string) (string, bool) {
	id, ok := ids()[strings.ToLower(strings.TrimSpace(s))]
	return id, ok
}

// Expression returns s as an SPDX license expression whose ids are all on
// the SPDX list (or LicenseRef-/DocumentRef- references), with the ids in
// the list's spelling, and whether it is one. Exceptions after WITH are
// checked against the same list, which holds both.
func Expression(s string) (string, bool) {
	if !IsExpression(s) {
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
			id, ok := term(f)
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

// term checks one id of an expression: a listed id, optionally with "+" (or
// later versions), or a license reference.
func term(f string) (string, bool) {
	if strings.HasPrefix(f, "LicenseRef-") || strings.HasPrefix(f, "DocumentRef-") {
		return f, true
	}
	if id, ok := ID(f); ok {
		return id, true
	}
	if base, ok := strings.CutSuffix(f, "+"); ok {
		if id, ok := ID(base); ok {
			return id + "+", true
		}
	}
	return "", false
}

// IsExpression reports whether s has the syntax of an SPDX license
// expression: ids of letters, digits, ".", "-" and "+", joined by AND, OR
// and WITH, with parentheses. It does not check the ids against the list.
func IsExpression(s string) bool {
	s = strings.NewReplacer("(", " ", ")", " ").Replace(s)
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return false
	}
	for i, f := range fields {
		op := f == "AND" || f == "OR" || f == "WITH"
		if op != (i%2 == 1) {
			return false
		}
		if op {
			continue
		}
		for _, r := range f {
			ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '+' || r == ':'
			if !ok {
				return false
			}
		}
	}
	return len(fields)%2 == 1
}
