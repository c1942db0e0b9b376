package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"
)

// runCompare compares two finding lists (the output of 'findings'). Within
// one component (ecosystem, name, version) the groups of each list that
// share an id are merged first, transitively: one flaw, one group, however
// many records a scanner reported it with (osv-scanner lists each record,
// sdlkit makes one finding of the records whose ids and aliases overlap).
// Two findings are then the same when their components are equal and their
// groups share an id, so that GO-2022-0635 on one side and CVE-2020-8912 on
// the other pair up. It prints "both", "only A", "only B" and "alias sets
// differ" sections and a summary line; with -sbom and -db each difference
// is followed by what decides it: the component's scope in the SBOM
// (excluded: a development dependency) and the affected entries of the
// records in the group, from the packed database.
func runCompare(args []string) error {
	fl := flag.NewFlagSet("compare", flag.ContinueOnError)
	la := fl.String("a", "A", "label of the first list")
	lb := fl.String("b", "B", "label of the second list")
	sbomPath := fl.String("sbom", "", "CycloneDX `SBOM` (with dev dependencies) to look differing components up in")
	db := fl.String("db", "", "osv-scanner database `DIR` (from pack) to show the differing records' affected entries")
	listBoth := fl.Bool("list-both", true, "list the findings both have (false: count them only)")
	if err := fl.Parse(args); err != nil || fl.NArg() != 2 {
		return usageError("compare [-a LABEL] [-b LABEL] [-sbom SBOM] [-db DBDIR] [-list-both=false] A.txt B.txt")
	}
	a, err := loadFindings(fl.Arg(0))
	if err != nil {
		return err
	}
	b, err := loadFindings(fl.Arg(1))
	if err != nil {
		return err
	}
	var scopes map[findingKey]string
	if *sbomPath != "" {
		if scopes, err = sbomScopes(*sbomPath); err != nil {
			return err
		}
	}
	both, onlyA, onlyB, differ := pairUp(a, b)
	if *listBoth {
		section("both", both, nil)
	} else {
		fmt.Printf("## both: %d\n", len(both))
	}
	explain := func(line string) { explainDifference(line, scopes, *db) }
	section("only "+*la, onlyA, explain)
	section("only "+*lb, onlyB, explain)
	section("alias sets differ", differ, nil)
	fmt.Printf("# summary: both %d, only %s %d, only %s %d, alias sets differ %d\n",
		len(both), *la, len(onlyA), *lb, len(onlyB), len(differ))
	return nil
}

// findingKey is a finding's component.
type findingKey struct{ eco, name, version string }

func (k findingKey) String() string { return k.eco + "|" + k.name + "|" + k.version }

func loadFindings(path string) (map[findingKey][][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[findingKey][][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "|", 4)
		if len(parts) != 4 {
			return nil, fmt.Errorf("read %q: not ecosystem|name|version|ids: %q", path, line)
		}
		k := findingKey{parts[0], parts[1], parts[2]}
		out[k] = append(out[k], strings.Split(parts[3], ","))
	}
	return out, sc.Err()
}

// pairUp pairs every group of a with a group of b of the same component
// that shares an id.
func pairUp(a, b map[findingKey][][]string) (both, onlyA, onlyB, differ []string) {
	keys := map[findingKey]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	sorted := make([]findingKey, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	slices.SortFunc(sorted, func(x, y findingKey) int { return strings.Compare(x.String(), y.String()) })
	for _, k := range sorted {
		rest := mergeGroups(b[k])
		for _, g := range mergeGroups(a[k]) {
			i := slices.IndexFunc(rest, func(h []string) bool { return overlaps(g, h) })
			if i < 0 {
				onlyA = append(onlyA, k.String()+"|"+strings.Join(g, ","))
				continue
			}
			h := rest[i]
			rest = slices.Delete(rest, i, i+1)
			both = append(both, k.String()+"|"+strings.Join(union(g, h), ","))
			if !slices.Equal(g, h) {
				differ = append(differ, fmt.Sprintf("%s|A=%s|B=%s", k, strings.Join(g, ","), strings.Join(h, ",")))
			}
		}
		for _, h := range rest {
			onlyB = append(onlyB, k.String()+"|"+strings.Join(h, ","))
		}
	}
	return both, onlyA, onlyB, differ
}

// mergeGroups joins the groups that share an id, transitively; each
// result is sorted.
func mergeGroups(groups [][]string) [][]string {
	var out [][]string
	for _, g := range groups {
		merged := slices.Clone(g)
		keep := out[:0]
		for _, o := range out {
			if overlaps(o, merged) {
				merged = append(merged, o...)
			} else {
				keep = append(keep, o)
			}
		}
		slices.Sort(merged)
		out = append(keep, slices.Compact(merged))
	}
	return out
}

func overlaps(g, h []string) bool {
	return slices.ContainsFunc(g, func(id string) bool { return slices.Contains(h, id) })
}

func union(g, h []string) []string {
	u := append(slices.Clone(g), h...)
	slices.Sort(u)
	return slices.Compact(u)
}

func section(title string, lines []string, explain func(string)) {
	fmt.Printf("## %s: %d\n", title, len(lines))
	for _, l := range lines {
		fmt.Println(l)
		if explain != nil {
			explain(l)
		}
	}
}

// explainDifference prints what the SBOM and the records say about one
// differing finding, indented under it.
func explainDifference(line string, scopes map[findingKey]string, db string) {
	parts := strings.SplitN(line, "|", 4)
	k := findingKey{parts[0], parts[1], parts[2]}
	if scopes != nil {
		scope, ok := scopes[k]
		switch {
		case !ok:
			fmt.Println("    sbom: the component is not in the SBOM")
		case scope == "excluded":
			fmt.Println("    sbom: scope excluded (a development dependency)")
		default:
			fmt.Printf("    sbom: scope %s\n", cmp.Or(scope, "required"))
		}
	}
	if db == "" {
		return
	}
	base, _, _ := strings.Cut(k.eco, ":")
	for _, id := range strings.Split(parts[3], ",") {
		rec, err := readPacked(db, base, id)
		if err != nil || rec == nil {
			continue
		}
		if rec.Withdrawn != "" {
			fmt.Printf("    %s (withdrawn %s):\n", id, rec.Withdrawn)
		} else {
			fmt.Printf("    %s:\n", id)
		}
		for _, a := range rec.Affected {
			_, name, _ := canonicalKey(a.Package.Ecosystem, a.Package.Name, "")
			if name != k.name {
				continue
			}
			for _, r := range a.Ranges {
				ev, _ := json.Marshal(r.Events)
				fmt.Printf("      range %s %s\n", r.Type, ev)
			}
			if len(a.Versions) > 0 {
				fmt.Printf("      versions: %d listed, %s among them: %t\n", len(a.Versions), k.version, slices.Contains(a.Versions, k.version))
			}
			var ds bytes.Buffer
			if json.Compact(&ds, a.DatabaseSpecific) == nil && ds.Len() > 0 {
				fmt.Printf("      database_specific %s\n", ds.Bytes())
			}
		}
	}
}

// packedRecord is what explainDifference shows of a record.
type packedRecord struct {
	Withdrawn string `json:"withdrawn"`
	Affected  []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string              `json:"type"`
			Events []map[string]string `json:"events"`
		} `json:"ranges"`
		Versions         []string        `json:"versions"`
		DatabaseSpecific json.RawMessage `json:"database_specific"`
	} `json:"affected"`
}

// readPacked reads one record from the packed database; nil when the
// ecosystem's zip has no such id.
func readPacked(db, eco, id string) (*packedRecord, error) {
	zr, err := zip.OpenReader(filepath.Join(db, "osv-scalibr", eco, "all.zip"))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != id+".json" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		var rec packedRecord
		return &rec, json.Unmarshal(data, &rec)
	}
	return nil, nil
}

// sbomScopes maps the components of a CycloneDX SBOM to their scope.
func sbomScopes(path string) (map[findingKey]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var bom struct {
		Components []struct {
			PURL    string `json:"purl"`
			Version string `json:"version"`
			Scope   string `json:"scope"`
		} `json:"components"`
	}
	if err := json.Unmarshal(data, &bom); err != nil {
		return nil, fmt.Errorf("read %q: %w", path, err)
	}
	out := map[findingKey]string{}
	for _, c := range bom.Components {
		eco, name, version, ok := purlKey(c.PURL)
		if !ok {
			continue
		}
		eco, name, version = canonicalKey(eco, name, cmp.Or(version, c.Version))
		k := findingKey{eco, name, version}
		if prev, seen := out[k]; !seen || prev == "excluded" {
			out[k] = c.Scope
		}
	}
	return out, nil
}

// purlEcosystems are the OSV ecosystems of purl types.
var purlEcosystems = map[string]string{
	"golang": "Go", "npm": "npm", "pypi": "PyPI", "cargo": "crates.io", "maven": "Maven",
	"nuget": "NuGet", "gem": "RubyGems", "composer": "Packagist", "hex": "Hex", "deb": "Debian",
}

// purlKey is a purl's OSV ecosystem, package name and version.
func purlKey(s string) (eco, name, version string, ok bool) {
	p, err := packageurl.FromString(s)
	if err != nil {
		return "", "", "", false
	}
	eco, ok = purlEcosystems[p.Type]
	if !ok {
		return "", "", "", false
	}
	name = p.Name
	switch {
	case p.Namespace == "":
	case p.Type == "maven":
		name = p.Namespace + ":" + p.Name
	default:
		name = p.Namespace + "/" + p.Name
	}
	return eco, name, p.Version, true
}
