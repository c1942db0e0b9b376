package vex

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ovex "github.com/openvex/go-vex/pkg/vex"
)

func readFile(t *testing.T, path string) []Statement {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := Read(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func countBy(stmts []Statement) map[ovex.Status]int {
	out := map[ovex.Status]int{}
	for _, s := range stmts {
		out[s.Status]++
	}
	return out
}

func TestOpenVEX(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"openvex/v020-1.vex.json", "openvex/v0.0.1.json"} {
		stmts := readFile(t, file)
		if len(stmts) == 0 {
			t.Fatalf("%s: no statements", file)
		}
		for _, s := range stmts {
			if s.Format != "openvex" || !strings.HasPrefix(s.Source, file+"#") || s.Timestamp == nil {
				t.Errorf("%s: statement %+v lacks format, source or time", file, s)
			}
		}
	}
	d := NewDecider(readFile(t, "openvex/v020-1.vex.json"))
	s := d.Decide([]string{"CVE-9876-54321"}, "pkg:apk/wolfi/bash@1.0.0?arch=x86_64", "")
	if s == nil || s.Status != UnderInvestigation || s.Suppresses() {
		t.Errorf("Decide = %+v, want the under_investigation statement, not suppressing", s)
	}
	if d.Decide([]string{"CVE-9876-54321"}, "pkg:apk/wolfi/bash@1.0.1", "") != nil {
		t.Error("a statement for bash 1.0.0 applied to 1.0.1")
	}
	if d.Decide([]string{"CVE-0000-0000"}, "pkg:apk/wolfi/bash@1.0.0", "") != nil {
		t.Error("a statement applied to another vulnerability")
	}
}

func TestCycloneDX(t *testing.T) {
	t.Parallel()
	stmts := readFile(t, "cyclonedx/vex.json")
	d := NewDecider(stmts)
	// The standalone VEX names the BOM's component through a BOM-Link.
	s := d.Decide([]string{"GHSA-288c-cq4h-88gq", "CVE-2020-25649"}, "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar", "")
	if s == nil || s.Status != NotAffected || s.Justification != ovex.VulnerableCodeNotInExecutePath || !s.Suppresses() {
		t.Fatalf("Decide = %+v, want not_affected, vulnerable_code_not_in_execute_path", s)
	}
	if !strings.Contains(s.ImpactStatement, "code_not_reachable") || !strings.Contains(s.ImpactStatement, "not reachable") {
		t.Errorf("impact statement %q lost the CycloneDX justification or detail", s.ImpactStatement)
	}
	// CISA's use case 1: one document per status.
	for file, want := range map[string]ovex.Status{
		"cyclonedx/vex-affected.json":            Affected,
		"cyclonedx/vex-fixed.json":               Fixed,
		"cyclonedx/vex-not_affected.json":        NotAffected,
		"cyclonedx/vex-under_investigation.json": UnderInvestigation,
	} {
		got := readFile(t, file)
		if len(got) != 1 || got[0].Status != want || got[0].Vulnerability.Name != "CVE-2021-44228" {
			t.Errorf("%s: %d statements, first %+v; want one %s for CVE-2021-44228", file, len(got), got, want)
		}
	}
	// A BOM without vulnerabilities is an SBOM given where VEX was meant:
	// refused, rather than read as no decisions.
	data, err := os.ReadFile(filepath.Join("testdata", "cyclonedx", "bom.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Parse(data, "bom.json"); err == nil || !strings.Contains(err.Error(), "an SBOM, not VEX") {
		t.Errorf("bom.json: %d statements, err %v; want it refused as an SBOM", len(got), err)
	}
}

func TestCSAF(t *testing.T) {
	t.Parallel()
	got := countBy(readFile(t, "csaf/2022-evd-uc-03-ms-001.json"))
	for _, st := range []ovex.Status{NotAffected, Affected, Fixed, UnderInvestigation} {
		if got[st] == 0 {
			t.Errorf("2022-evd-uc-03-ms-001: no %s statement (%v)", st, got)
		}
	}
	sec := readFile(t, "csaf/sec-vex-2022-0001.json")
	for _, s := range sec {
		if s.Status != NotAffected || s.Justification != ovex.ComponentNotPresent {
			t.Errorf("sec-vex-2022-0001: %s %s, want not_affected with component_not_present", s.Status, s.Justification)
		}
	}
	rh := readFile(t, "csaf/cve-2023-0044.json")
	if c := countBy(rh); c[NotAffected] != 9 || c[Affected] != 1 || c[Fixed] != 2 {
		t.Errorf("cve-2023-0044: %v, want 9 not_affected, 1 affected, 2 fixed", c)
	}
	for _, s := range rh {
		if s.Status == NotAffected && s.Justification != ovex.VulnerableCodeNotPresent {
			t.Errorf("cve-2023-0044: not_affected without the flag's justification: %+v", s)
		}
	}
	// Relationships: the component is a subcomponent of the product.
	d := NewDecider(rh)
	if s := d.Decide([]string{"CVE-2023-0044"}, "quarkus-vertx-http", "cpe:/a:redhat:a_mq_clients:2"); s == nil || s.Status != NotAffected {
		t.Errorf("component of A-MQ Clients 2: %+v, want not_affected", s)
	}
}

// TestLatestStatementWins orders statements by time: a later "affected"
// overrides an earlier "not_affected" about the same package.
func TestLatestStatementWins(t *testing.T) {
	t.Parallel()
	doc := `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "test",
"timestamp": "2024-01-01T00:00:00Z", "version": 1, "statements": [
{"vulnerability": {"name": "CVE-2024-0001"}, "products": [{"@id": "pkg:npm/a@1.0.0"}], "status": "affected", "action_statement": "update", "timestamp": "2024-03-01T00:00:00Z"},
{"vulnerability": {"name": "CVE-2024-0001"}, "products": [{"@id": "pkg:npm/a@1.0.0"}], "status": "not_affected", "justification": "vulnerable_code_not_present", "timestamp": "2024-02-01T00:00:00Z"}]}`
	stmts, err := Parse([]byte(doc), "written-for-test.json")
	if err != nil {
		t.Fatal(err)
	}
	if s := NewDecider(stmts).Decide([]string{"CVE-2024-0001"}, "pkg:npm/a@1.0.0", ""); s == nil || s.Status != Affected {
		t.Errorf("Decide = %+v, want the later affected statement", s)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ doc, want string }{
		{`{"hello": 1}`, `read vex "x": not an OpenVEX, CycloneDX or CSAF document`},
		{`{"@context": `, `read vex "x": unexpected EOF`},
		{`{"document": {"category": "csaf_vex"}, "product_tree": {}, "vulnerabilities": [{"cve": "CVE-1", "product_status": {"fixed": ["nope"]}}]}`, `read vex "x": vulnerabilities[0].product_status.fixed: product "nope" is not in the product tree`},
		{`{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [{"id": "CVE-1", "analysis": {"state": "maybe"}}]}`, `read vex "x": vulnerabilities[0]: unknown analysis state "maybe"`},
		{`{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/a"}], "status": "not_affected"}]}`, `read vex "x": statement 0: `},
	} {
		_, err := Parse([]byte(tc.doc), "x")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %v, want %q", tc.doc, err, tc.want)
		}
	}
	if _, err := Parse([]byte(`[]`), "x"); err == nil {
		t.Error("a JSON array was read as VEX")
	}
	if _, err := Parse([]byte(`{}`), "x"); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("{}: %v, want ErrUnknownFormat", err)
	}
}

// FuzzParse reads arbitrary bytes as a VEX document of any format. An
// error is one line; the statements of a document it accepts name where
// they come from, and a Decider applies them without panicking.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.json"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	if len(files) < 10 {
		f.Fatalf("%d seed files, want testdata's OpenVEX, CycloneDX and CSAF documents", len(files))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		stmts, err := Parse(data, "fuzz")
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		d := NewDecider(stmts)
		d.Decide([]string{"CVE-2021-44228"}, "pkg:maven/a/b@1", "")
		for _, s := range stmts {
			if !strings.HasPrefix(s.Source, "fuzz") || s.Format == "" {
				t.Fatalf("statement without source or format: %+v", s)
			}
			for _, p := range s.Products {
				d.Decide([]string{string(s.Vulnerability.Name)}, p.ID, p.ID)
			}
		}
	})
}
