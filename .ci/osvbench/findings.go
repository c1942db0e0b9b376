package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
)

// runFindings prints the findings of scan results, one distinct line each:
//
//	ecosystem|name|version|alias-group
//
// alias-group is the sorted set of the finding's ids and aliases, joined
// with ",". The keys are canonicalised the same way for both scanners, so
// that their lines can be compared key by key:
//   - Go versions lose a leading "v" (osv-scanner keeps what a CycloneDX
//     purl says, "v1.2.3", and prints go.mod versions without it); the Go
//     toolchain named "go" is "stdlib", as in the Go vulnerability database;
//   - PyPI names are PEP 503 normalised, as both scanners match them;
//   - osv-scanner prints a CycloneDX component's "name" without the purl's
//     namespace (npm "@npmcli/agent" → "agent", Maven "org.x:lib" → "lib")
//     although it matched the full name: the full name is taken back from
//     the matched record's affected package that ends in "/name" or ":name";
//   - osv-scanner reports a package once per lockfile that holds it, and
//     each record apart: a record is one line, and the same package in
//     several lockfiles is one finding.
//
// sdlkit groups the records of one flaw into one finding (its id and
// aliases); compare pairs lines whose groups share an id, so a group of
// two records on one side meets the two records of the other.
func runFindings(args []string) error {
	fl := flag.NewFlagSet("findings", flag.ContinueOnError)
	from := fl.String("from", "", "the scanner that wrote the results: osv-scanner or sdlkit")
	if err := fl.Parse(args); err != nil || fl.NArg() == 0 || (*from != "osv-scanner" && *from != "sdlkit") {
		return usageError("findings -from osv-scanner|sdlkit RESULT.json...")
	}
	lines := map[string]bool{}
	for _, path := range fl.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var got []string
		if *from == "sdlkit" {
			got, err = sdlkitFindings(data)
		} else {
			got, err = osvScannerFindings(data)
		}
		if err != nil {
			return fmt.Errorf("read %q: %w", path, err)
		}
		for _, l := range got {
			lines[l] = true
		}
	}
	for _, l := range sortedKeys(lines) {
		fmt.Println(l)
	}
	return nil
}

var pep503 = regexp.MustCompile(`[-_.]+`)

// canonicalKey is the (ecosystem, name, version) both sides are compared by.
func canonicalKey(ecosystem, name, version string) (string, string, string) {
	base, _, _ := strings.Cut(ecosystem, ":")
	switch base {
	case "PyPI":
		name = strings.ToLower(pep503.ReplaceAllString(name, "-"))
	case "Go":
		version = strings.TrimPrefix(version, "v")
		if name == "go" {
			name = "stdlib"
		}
	}
	return ecosystem, name, version
}

func findingLine(eco, name, version string, ids []string) string {
	eco, name, version = canonicalKey(eco, name, version)
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return strings.Join([]string{eco, name, version, strings.Join(ids, ",")}, "|")
}

// sdlkitFindings reads 'sdlkit scan --format json'.
func sdlkitFindings(data []byte) ([]string, error) {
	var res struct {
		Schema   string `json:"$schema"`
		Findings []struct {
			ID        string   `json:"id"`
			Aliases   []string `json:"aliases"`
			Component struct {
				Name, Version, Ecosystem string
			} `json:"component"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, err
	}
	if !strings.Contains(res.Schema, "scan-result") {
		return nil, fmt.Errorf("not an sdlkit scan result ($schema %q)", res.Schema)
	}
	var out []string
	for _, f := range res.Findings {
		c := f.Component
		out = append(out, findingLine(c.Ecosystem, c.Name, c.Version, append([]string{f.ID}, f.Aliases...)))
	}
	return out, nil
}

// osvRecord is the part of an OSV record the comparison reads.
type osvRecord struct {
	ID       string   `json:"id"`
	Aliases  []string `json:"aliases"`
	Affected []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

// osvScannerFindings reads 'osv-scanner scan source --format json'.
func osvScannerFindings(data []byte) ([]string, error) {
	var res struct {
		Results *[]struct {
			Packages []struct {
				Package struct {
					Name, Version, Ecosystem string
				} `json:"package"`
				Vulnerabilities []osvRecord `json:"vulnerabilities"`
			} `json:"packages"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, err
	}
	if res.Results == nil {
		return nil, fmt.Errorf("not an osv-scanner result (no results)")
	}
	var out []string
	for _, r := range *res.Results {
		for _, p := range r.Packages {
			name := fullName(p.Package.Ecosystem, p.Package.Name, p.Vulnerabilities)
			for _, v := range p.Vulnerabilities {
				out = append(out, findingLine(p.Package.Ecosystem, name, p.Package.Version, append([]string{v.ID}, v.Aliases...)))
			}
		}
	}
	return out, nil
}

// fullName repairs a name osv-scanner printed without its namespace, from
// the records it matched.
func fullName(eco, name string, vulns []osvRecord) string {
	base, _, _ := strings.Cut(eco, ":")
	for _, v := range vulns {
		for _, a := range v.Affected {
			if a.Package.Name == name {
				return name
			}
		}
	}
	for _, v := range vulns {
		for _, a := range v.Affected {
			full := a.Package.Name
			pb, _, _ := strings.Cut(a.Package.Ecosystem, ":")
			if pb == base && (strings.HasSuffix(full, "/"+name) || strings.HasSuffix(full, ":"+name)) {
				return full
			}
		}
	}
	return name
}
