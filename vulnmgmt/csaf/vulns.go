package csaf

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
	"github.com/sdlkit/sdlkit/vulnmgmt/severity"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

// vulns collects what is known of each vulnerability, named by any of its
// ids, for each product id.
type vulns struct {
	t     *tree
	byID  map[string]*vuln
	order []*vuln
}

type vuln struct {
	ids []string
	// status, justification, impact and action by product id.
	status, justification, impact, action map[string]string
	summary                               string
	severity                              map[string]severity.Severity
	references                            []string
}

func newVulns(t *tree) *vulns { return &vulns{t: t, byID: map[string]*vuln{}} }

// get returns the vulnerability known by any of ids, adding the others.
func (vs *vulns) get(ids []string) *vuln {
	var v *vuln
	for _, id := range ids {
		if v = vs.byID[id]; v != nil {
			break
		}
	}
	if v == nil {
		v = &vuln{status: map[string]string{}, justification: map[string]string{}, impact: map[string]string{},
			action: map[string]string{}, severity: map[string]severity.Severity{}}
		vs.order = append(vs.order, v)
	}
	for _, id := range ids {
		if id != "" && !slices.Contains(v.ids, id) {
			v.ids = append(v.ids, id)
			vs.byID[id] = v
		}
	}
	return v
}

// addScan adds a scan's findings for the release it scanned: under
// investigation, unless a statement decides.
func (vs *vulns) addScan(s ScanResult) error {
	rel, ok := vs.releaseOfScan(s.Result.Target)
	if !ok {
		tg := s.Result.Target
		what := strings.TrimSpace(tg.Name + " " + tg.Version)
		if what == "" {
			what = strconv.Quote(tg.Source)
		}
		return &Error{Kind: "scan result", File: s.File, Pointer: "/target", Err: fmt.Errorf("%w: the scan is of %s", ErrOtherProduct, what)}
	}
	for i, f := range s.Result.Findings {
		id := vs.componentIn(rel, f.Component.PURL)
		if id == "" {
			return &Error{Kind: "scan result", File: s.File, Pointer: ptr("findings", i, "component", "purl"), Err: fmt.Errorf("%w: %s is not in the SBOM of %s", ErrOtherProduct, f.Component.PURL, rel.id)}
		}
		v := vs.get(f.IDs())
		if _, decided := v.status[id]; !decided {
			v.status[id] = "under_investigation"
		}
		if f.VEX != nil {
			v.decide(id, *f.VEX)
		}
		v.severity[id] = f.Severity
		if v.summary == "" {
			v.summary = f.Summary
		}
		for _, r := range f.References {
			if !slices.Contains(v.references, r) && len(v.references) < 5 {
				v.references = append(v.references, r)
			}
		}
	}
	return nil
}

// releaseOfScan finds the release a scan is of: by purl, else by name and
// version.
func (vs *vulns) releaseOfScan(tg scan.Target) (releaseProduct, bool) {
	for _, r := range vs.t.releases {
		p := r.BOM.Product
		if tg.PURL != "" && p.PURL == tg.PURL || p.Name == tg.Name && p.Version == tg.Version {
			return r, true
		}
	}
	return releaseProduct{}, false
}

func (vs *vulns) componentIn(rel releaseProduct, purl string) string {
	for _, c := range rel.BOM.Components {
		if purl != "" && c.PURL == purl {
			return vs.t.part(rel, c)
		}
	}
	return ""
}

// addStatement applies a VEX statement to every product it names.
func (vs *vulns) addStatement(s vex.Statement) error {
	file, pointer := sourcePointer(s)
	ids := []string{string(s.Vulnerability.Name)}
	for _, a := range s.Vulnerability.Aliases {
		ids = append(ids, string(a))
	}
	var matched []string
	for _, p := range s.Products {
		purls := []string{p.ID}
		for _, sc := range p.Subcomponents {
			purls = append(purls, sc.ID)
		}
		for _, purl := range purls[min(1, len(p.Subcomponents)):] {
			got, err := vs.t.match(purl)
			if err != nil {
				return &Error{Kind: "vex", File: file, Pointer: pointer, Err: err}
			}
			matched = append(matched, got...)
		}
	}
	v := vs.get(ids)
	for _, id := range matched {
		v.decide(id, s)
	}
	return nil
}

func (t *tree) notFound(purl string) error {
	if other := t.versions(purl); len(other) > 0 {
		return fmt.Errorf("%w: %s is in none of the SBOMs, which have version %s", ErrOtherProduct, purl, strings.Join(other, ", "))
	}
	return fmt.Errorf("%w: %s is in none of the SBOMs", ErrOtherProduct, purl)
}

// decide records a statement's status and reasons for product id.
func (v *vuln) decide(id string, s vex.Statement) {
	v.status[id] = statuses[s.Status]
	v.justification[id] = string(s.Justification)
	v.impact[id] = s.ImpactStatement
	v.action[id] = s.ActionStatement
	if v.summary == "" {
		v.summary = s.StatusNotes
	}
}

// render writes the vulnerabilities in the order first seen.
func (vs *vulns) render(category string) []*Vulnerability {
	var out []*Vulnerability
	for _, v := range vs.order {
		out = append(out, vs.renderOne(v, category))
	}
	return out
}

func (vs *vulns) renderOne(v *vuln, category string) *Vulnerability {
	cv := &Vulnerability{ProductStatus: &ProductStatus{}}
	setIDs(cv, v.ids)
	products := slices.Sorted(maps.Keys(v.status))
	for _, id := range products {
		addStatus(cv.ProductStatus, v.status[id], id)
	}
	cv.Flags = groupBy(products, v.justification, func(label string, ids []string) Flag { return Flag{Label: label, ProductIDs: ids} })
	cv.Threats = groupBy(products, v.impact, func(text string, ids []string) Threat {
		return Threat{Category: "impact", Details: text, ProductIDs: ids}
	})
	cv.Remediations = vs.remediations(v, products)
	cv.Scores, cv.Notes = scores(v, products)
	summary := v.summary
	if summary == "" {
		summary = fmt.Sprintf("%s, as the supplier assessed it for each product.", strings.Join(v.ids, ", "))
	}
	cv.Notes = append([]Note{{Category: "description", Title: "Summary", Text: summary}}, cv.Notes...)
	for _, r := range v.references {
		cv.References = append(cv.References, Reference{Category: "external", Summary: "advisory", URL: r})
	}
	return cv
}

// setIDs puts a CVE id in cve and every other id in ids.
func setIDs(cv *Vulnerability, ids []string) {
	for _, id := range ids {
		if strings.HasPrefix(id, "CVE-") && cv.CVE == "" {
			cv.CVE = id
			continue
		}
		cv.IDs = append(cv.IDs, VulnID{SystemName: systemName(id), Text: id})
	}
}

func systemName(id string) string {
	prefix, _, _ := strings.Cut(id, "-")
	switch prefix {
	case "GHSA":
		return "GitHub Advisory Database"
	case "GO":
		return "Go Vulnerability Database"
	case "PYSEC":
		return "PyPI Advisory Database"
	case "RUSTSEC":
		return "RustSec Advisory Database"
	case "CVE":
		return "CVE"
	}
	return "OSV"
}

func addStatus(ps *ProductStatus, status, id string) {
	switch status {
	case "known_not_affected":
		ps.KnownNotAffected = append(ps.KnownNotAffected, id)
	case "known_affected":
		ps.KnownAffected = append(ps.KnownAffected, id)
	case "fixed":
		ps.Fixed = append(ps.Fixed, id)
	default:
		ps.UnderInvestigation = append(ps.UnderInvestigation, id)
	}
}

// groupBy makes one item per distinct non-empty value of by, naming the
// products that have it.
func groupBy[T any](products []string, by map[string]string, make func(value string, ids []string) T) []T {
	var values []string
	ids := map[string][]string{}
	for _, id := range products {
		if val := by[id]; val != "" {
			if _, ok := ids[val]; !ok {
				values = append(values, val)
			}
			ids[val] = append(ids[val], id)
		}
	}
	var out []T
	for _, val := range values {
		out = append(out, make(val, ids[val]))
	}
	return out
}

// remediations says what to do for each known_affected product: update
// to a later release where the vulnerability is fixed or does not apply
// (vendor_fix), else the statement's action (a mitigation, or a
// workaround when it says so), else none_available.
func (vs *vulns) remediations(v *vuln, products []string) []Remediation {
	var out []Remediation
	add := func(category, details string, id string) {
		for i := range out {
			if out[i].Category == category && out[i].Details == details {
				out[i].ProductIDs = append(out[i].ProductIDs, id)
				return
			}
		}
		out = append(out, Remediation{Category: category, Details: details, ProductIDs: []string{id}})
	}
	for _, id := range products {
		if v.status[id] != "known_affected" {
			continue
		}
		found := false
		if fix, ok := vs.fixedRelease(v, id); ok {
			add("vendor_fix", fmt.Sprintf("Update to %s %s or later.", fix.Name, fix.Version), id)
			found = true
		}
		if act := v.action[id]; act != "" {
			category := "mitigation"
			if strings.HasPrefix(strings.ToLower(act), "workaround") {
				category = "workaround"
			}
			add(category, act, id)
			found = true
		}
		if !found {
			add("none_available", "No fix is available yet.", id)
		}
	}
	return out
}

// fixedRelease finds the first later release of the same product in which
// the vulnerability is fixed or does not apply.
func (vs *vulns) fixedRelease(v *vuln, id string) (productVersion, bool) {
	rp := vs.t.releaseOf(id)
	if rp.BOM == nil {
		return vs.t.rangeFix(id)
	}
	rel := rp.BOM.Product
	var best productVersion
	for _, r := range vs.t.releases {
		p := r.BOM.Product
		if p.Name != rel.Name || compareReleases(p.Version, rel.Version) <= 0 || !vs.clear(v, r) {
			continue
		}
		if best.Version == "" || compareReleases(p.Version, best.Version) < 0 {
			best = productVersion{p.Name, p.Version}
		}
	}
	if best.Version != "" {
		return best, true
	}
	// A release in an affected range "before X" is fixed in X.
	for _, r := range vs.t.ranges {
		if r.name == rel.Name && v.status[r.id] == "known_affected" && r.vers.contains(rel.Version) {
			return vs.t.rangeFix(r.id)
		}
	}
	return best, false
}

type productVersion struct{ Name, Version string }

// clear tells whether a release has nothing affected or under
// investigation for the vulnerability, and something said about it.
func (vs *vulns) clear(v *vuln, r releaseProduct) bool {
	said := false
	for id, st := range v.status {
		if vs.t.releaseOf(id).id != r.id {
			continue
		}
		if st == "known_affected" || st == "under_investigation" {
			return false
		}
		said = true
	}
	return said
}

// compareReleases orders release versions as semantic versions when both
// are, else as text.
func compareReleases(a, b string) int {
	sa, sb := strings.TrimPrefix(a, "v"), strings.TrimPrefix(b, "v")
	if semanticVersion().MatchString(sa) && semanticVersion().MatchString(sb) {
		return compareVersions(sa, sb)
	}
	return strings.Compare(a, b)
}

// scores makes a cvss_v3 or cvss_v2 score per vector, and a note for a
// CVSS v4.0 vector, which CSAF 2.0 has no object for.
func scores(v *vuln, products []string) ([]Score, []Note) {
	var out []Score
	var notes []Note
	for _, id := range products {
		s, ok := v.severity[id]
		if !ok || s.Vector == "" {
			continue
		}
		c := cvssObject(s)
		if c == nil {
			text := fmt.Sprintf("%s (base score %s, %s)", s.Vector, strconv.FormatFloat(s.Score, 'f', 1, 64), s.Rating)
			if !slices.ContainsFunc(notes, func(n Note) bool { return n.Text == text }) {
				notes = append(notes, Note{Category: "other", Title: "CVSS v4.0", Text: text})
			}
			continue
		}
		i := slices.IndexFunc(out, func(sc Score) bool {
			return sc.CVSSv3.String("vectorString") == s.Vector || sc.CVSSv2.String("vectorString") == s.Vector
		})
		if i < 0 {
			sc := Score{}
			if strings.HasPrefix(s.Vector, "CVSS:3") {
				sc.CVSSv3 = c
			} else {
				sc.CVSSv2 = c
			}
			out = append(out, sc)
			i = len(out) - 1
		}
		out[i].Products = append(out[i].Products, id)
	}
	return out, notes
}

// cvssObject is the FIRST CVSS object of a v3.x or v2.0 vector; nil for
// another.
func cvssObject(s severity.Severity) CVSS {
	vec := parseVector(CVSS{"vectorString": s.Vector})
	if vec == nil {
		return nil
	}
	base := vec.BaseScore()
	if strings.HasPrefix(s.Vector, "CVSS:3") {
		return CVSS{"version": s.Vector[5:8], "vectorString": s.Vector, "baseScore": base,
			"baseSeverity": strings.ToUpper(string(severity.FromScore(base)))}
	}
	return CVSS{"version": "2.0", "vectorString": s.Vector, "baseScore": base}
}
