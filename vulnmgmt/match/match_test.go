package match

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sdlkit/sdlkit/vulnmgmt/osv"
)

func advisory(t *testing.T, path string) *osv.Vulnerability {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	v, err := osv.Parse(data, path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestAffects evaluates real advisories at the edges of their ranges.
func TestAffects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		pkg      Package
		affected bool
		fixed    []string
	}{
		// Go: module versions keep their "v"; pseudo-versions order by time.
		{"go-vulndb/GO-2020-0014.json", Package{"Go", "golang.org/x/net", "v0.0.0-20190124000000-aaaaaaaaaaaa"}, true, []string{"0.0.0-20190125091013-d26f9f9a57f3"}},
		{"go-vulndb/GO-2020-0014.json", Package{"Go", "golang.org/x/net", "v0.0.0-20190125091013-d26f9f9a57f3"}, false, nil},
		{"go-vulndb/GO-2020-0014.json", Package{"Go", "golang.org/x/net", "v0.20.0"}, false, nil},
		// stdlib: introduced at a pre-release of 1.16.
		{"go-vulndb/GO-2021-0067.json", Package{"Go", "stdlib", "1.16.0"}, true, []string{"1.16.1"}},
		{"go-vulndb/GO-2021-0067.json", Package{"Go", "stdlib", "1.16.0-rc1"}, true, []string{"1.16.1"}},
		{"go-vulndb/GO-2021-0067.json", Package{"Go", "stdlib", "1.15.15"}, false, nil},
		{"go-vulndb/GO-2021-0067.json", Package{"Go", "stdlib", "1.16.1"}, false, nil},
		// Withdrawn: never matches, though its range is "introduced 0".
		{"go-vulndb/GO-2022-0617.json", Package{"Go", "k8s.io/kubernetes", "v1.20.0"}, false, nil},
		// npm last_affected: the last affected version is affected, the next is not.
		{"ghsa/GHSA-78xj-cgh5-2h22.json", Package{"npm", "ip", "1.1.8"}, true, nil},
		{"ghsa/GHSA-78xj-cgh5-2h22.json", Package{"npm", "ip", "1.1.9"}, false, nil},
		{"ghsa/GHSA-78xj-cgh5-2h22.json", Package{"npm", "IP", "1.1.8"}, false, nil}, // npm names are case-sensitive
		// Maven: group:artifact, two ranges, .RELEASE versions.
		{"ghsa/GHSA-36p3-wjmg-h94x.json", Package{"Maven", "org.springframework:spring-beans", "5.2.19.RELEASE"}, true, []string{"5.2.20.RELEASE"}},
		{"ghsa/GHSA-36p3-wjmg-h94x.json", Package{"Maven", "org.springframework:spring-beans", "5.3.17"}, true, []string{"5.3.18"}},
		{"ghsa/GHSA-36p3-wjmg-h94x.json", Package{"Maven", "org.springframework:spring-beans", "5.2.20.RELEASE"}, false, nil},
		{"ghsa/GHSA-36p3-wjmg-h94x.json", Package{"Maven", "org.springframework:spring-core", "5.3.17"}, false, nil},
		// RubyGems: four-part versions between two ranges.
		{"ghsa/GHSA-22f2-v57c-j9cx.json", Package{"RubyGems", "rack", "2.2.8"}, true, []string{"2.2.8.1"}},
		{"ghsa/GHSA-22f2-v57c-j9cx.json", Package{"RubyGems", "rack", "2.2.9"}, false, nil},
		{"ghsa/GHSA-22f2-v57c-j9cx.json", Package{"RubyGems", "rack", "3.0.9"}, true, []string{"3.0.9.1"}},
		// PyPI: PEP 503 names, PEP 440 order, the versions list.
		{"pypa/PYSEC-2019-217.yaml", Package{"PyPI", "Jinja2", "2.10"}, true, []string{"2.10.1"}},
		{"pypa/PYSEC-2019-217.yaml", Package{"PyPI", "jinja2", "2.10.0"}, true, []string{"2.10.1"}},
		{"pypa/PYSEC-2019-217.yaml", Package{"PyPI", "jinja2", "2.10.1"}, false, nil},
		{"pypa/PYSEC-2019-217.yaml", Package{"PyPI", "jinja2", "2.11.0rc1"}, false, nil},
		// crates.io: introduced 0.0.0-0.
		{"rustsec/RUSTSEC-2022-0013.json", Package{"crates.io", "regex", "1.5.4"}, true, []string{"1.5.5"}},
		{"rustsec/RUSTSEC-2022-0013.json", Package{"crates.io", "regex", "1.10.2"}, false, nil},
		// Another ecosystem of the same name never matches.
		{"rustsec/RUSTSEC-2022-0013.json", Package{"npm", "regex", "1.5.4"}, false, nil},
	}
	for _, tt := range tests {
		got := Affects(advisory(t, tt.file), tt.pkg)
		if got.Affected != tt.affected || got.Unordered {
			t.Errorf("%s %v: affected = %v (unordered %v), want %v", tt.file, tt.pkg, got.Affected, got.Unordered, tt.affected)
		}
		if diff := cmp.Diff(tt.fixed, got.Fixed); diff != "" {
			t.Errorf("%s %v: fixed (-want +got):\n%s", tt.file, tt.pkg, diff)
		}
	}
}

// TestUnorderedEcosystem only checks the versions list where the ecosystem
// has no known order, and says so.
func TestUnorderedEcosystem(t *testing.T) {
	t.Parallel()
	v := advisory(t, "pypa/PYSEC-2019-217.yaml")
	for _, a := range v.GetAffected() {
		a.GetPackage().Ecosystem = "NoSuchEcosystem"
	}
	if got := Affects(v, Package{"NoSuchEcosystem", "jinja2", "2.10"}); !got.Affected || !got.Unordered {
		t.Errorf("listed version: %+v, want affected and unordered", got)
	}
	if got := Affects(v, Package{"NoSuchEcosystem", "jinja2", "2.10.0"}); got.Affected || !got.Unordered {
		t.Errorf("unlisted version: %+v, want not affected and unordered", got)
	}
}
