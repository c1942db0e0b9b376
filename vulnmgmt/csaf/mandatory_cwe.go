package csaf

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
)

//go:embed cwe/names.tsv
var cweNames string

// cweCatalog maps each CWE id to every name the CWE List has given it
// (cwe/README.md), read on first use.
var cweCatalog = sync.OnceValue(func() map[string][]string {
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSuffix(cweNames, "\n"), "\n") {
		id, name, _ := strings.Cut(line, "\t")
		m[id] = append(m[id], name)
	}
	return m
})

// cweNamed reports CWE ids the catalogue does not have, and names that
// are not the weakness's (6.1.11).
func cweNamed(a *Advisory) []Finding {
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		if v.CWE == nil {
			return nil
		}
		names, ok := cweCatalog()[v.CWE.ID]
		switch {
		case !ok:
			return []Finding{finding(ptr("vulnerabilities", i, "cwe", "id"), "%s is no weakness of the CWE List", v.CWE.ID)}
		case !slices.Contains(names, v.CWE.Name):
			return []Finding{finding(ptr("vulnerabilities", i, "cwe", "name"), "%q is no name %s has had in the CWE List", v.CWE.Name, v.CWE.ID)}
		}
		return nil
	})
}
