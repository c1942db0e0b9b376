package csaf

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	ovex "github.com/openvex/go-vex/pkg/vex"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
	"github.com/sdlkit/sdlkit/vulnmgmt/severity"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

var testNow = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

var testPublisher = Publisher{Category: "vendor", Name: "Example Controls PSIRT", Namespace: "https://psirt.example.com", ContactDetails: "psirt@example.com"}

// release is the SBOM of fw at version with the npm packages given as
// name@version.
func release(version string, pkgs ...string) Release {
	b := &sbom.BOM{Product: sbom.Component{Name: "fw", Version: version, PURL: "pkg:generic/example/fw@" + version}}
	for _, p := range pkgs {
		name, v, _ := cutAt(p)
		b.Components = append(b.Components, sbom.Component{Name: name, Version: v, PURL: "pkg:npm/" + p, BOMRef: "pkg:npm/" + p})
	}
	return Release{BOM: b, File: "fw-" + version + ".cdx.json"}
}

func cutAt(s string) (string, string, bool) {
	i := len(s) - 1
	for i >= 0 && s[i] != '@' {
		i--
	}
	return s[:i], s[i+1:], i >= 0
}

func statement(vuln, product string, status ovex.Status, source string, set func(*ovex.Statement)) vex.Statement {
	ts := testNow.Add(-time.Hour)
	s := ovex.Statement{Vulnerability: ovex.Vulnerability{Name: ovex.VulnerabilityID(vuln)}, Status: status, Timestamp: &ts,
		Products: []ovex.Product{{Component: ovex.Component{ID: product}}}}
	if set != nil {
		set(&s)
	}
	return vex.Statement{Statement: s, Source: source, Format: "openvex"}
}

// sample is a product in two releases: ws 7.5.9 in 1.2.0 has
// GHSA-3h5v-q93c-6h6q (affected, fixed in 1.3.0 by ws 7.5.10), and
// nth-check has a flaw whose code fw does not reach.
func sample() (Inputs, *scan.Result) {
	r120 := release("1.2.0", "ws@7.5.9", "nth-check@1.0.2")
	r130 := release("1.3.0", "ws@7.5.10", "nth-check@1.0.2")
	res := &scan.Result{Target: scan.Target{Name: "fw", Version: "1.2.0", PURL: "pkg:generic/example/fw@1.2.0"}, Findings: []scan.Finding{
		{ID: "GHSA-3h5v-q93c-6h6q", Aliases: []string{"CVE-2024-37890"}, Component: scan.Component{PURL: "pkg:npm/ws@7.5.9"},
			Summary:  "ws: denial of service when handling a request with many HTTP headers",
			Severity: severity.Severity{Rating: severity.High, Score: 7.5, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", Source: "CVSS_V3"}},
		{ID: "GHSA-rp65-9cf3-cjxr", Aliases: []string{"CVE-2021-3803"}, Component: scan.Component{PURL: "pkg:npm/nth-check@1.0.2"},
			Severity: severity.Severity{Rating: severity.High, Score: 8.7, Vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", Source: "CVSS_V4"}},
	}}
	in := Inputs{
		Releases: []Release{r120, r130},
		Statements: []vex.Statement{
			statement("CVE-2024-37890", "pkg:npm/ws@7.5.9", vex.Affected, "t.vex.json#/statements/0", func(s *ovex.Statement) {
				s.Vulnerability.Aliases = []ovex.VulnerabilityID{"GHSA-3h5v-q93c-6h6q"}
				s.ActionStatement = "workaround: set maxHeadersCount on the HTTP server"
			}),
			statement("CVE-2024-37890", "pkg:npm/ws@7.5.10", vex.Fixed, "t.vex.json#/statements/1", nil),
			statement("CVE-2021-3803", "pkg:npm/nth-check", vex.NotAffected, "t.vex.json#/statements/2", func(s *ovex.Statement) {
				s.Justification = ovex.VulnerableCodeNotInExecutePath
			}),
		},
		Scans: []ScanResult{{Result: res, File: "scan.json"}},
	}
	return in, res
}

func TestCreate(t *testing.T) {
	t.Parallel()
	for _, category := range []string{CategoryVEX, CategorySecurityAdvisory} {
		t.Run(category, func(t *testing.T) {
			in, _ := sample()
			a, err := Create(in, Options{ID: "EXC-2026-0001", Category: category, Publisher: testPublisher, Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			r, err := ValidateAdvisory(a, "out.json")
			if err != nil {
				t.Fatal(err)
			}
			if !r.Valid {
				t.Fatalf("our own document is invalid: %v", r.Findings)
			}
			ws := a.Vulnerabilities[0]
			want := &ProductStatus{KnownAffected: []string{"fw-1.2.0/ws_7.5.9"}, Fixed: []string{"fw-1.3.0/ws_7.5.10"}}
			if diff := cmp.Diff(want, ws.ProductStatus); diff != "" {
				t.Errorf("ws product status (-want +got):\n%s", diff)
			}
			var cats []string
			for _, rm := range ws.Remediations {
				cats = append(cats, rm.Category+": "+rm.Details)
			}
			wantRem := []string{"vendor_fix: Update to fw 1.3.0 or later.", "workaround: workaround: set maxHeadersCount on the HTTP server"}
			if diff := cmp.Diff(wantRem, cats); diff != "" {
				t.Errorf("remediations (-want +got):\n%s", diff)
			}
			if ws.CVE != "CVE-2024-37890" || len(ws.Scores) != 1 || ws.Scores[0].CVSSv3.String("baseSeverity") != "HIGH" {
				t.Errorf("ws: cve %q, scores %v", ws.CVE, ws.Scores)
			}
			nth := a.Vulnerabilities[1]
			if len(nth.ProductStatus.KnownNotAffected) != 2 || len(nth.Flags) != 1 || nth.Flags[0].Label != "vulnerable_code_not_in_execute_path" {
				t.Errorf("nth-check: status %+v, flags %+v", nth.ProductStatus, nth.Flags)
			}
			if !slices.ContainsFunc(nth.Notes, func(n Note) bool { return n.Title == "CVSS v4.0" }) {
				t.Errorf("no CVSS v4.0 note: %+v", nth.Notes)
			}
		})
	}
}

// TestVEXRoundTrip: the statements, written as CSAF and read back by the
// scanner's VEX reader, suppress the same findings.
func TestVEXRoundTrip(t *testing.T) {
	t.Parallel()
	in, res := sample()
	a, err := Create(Inputs{Releases: in.Releases, Statements: in.Statements}, Options{Publisher: testPublisher, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	data, err := Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	back, err := vex.Parse(data, "out.json")
	if err != nil {
		t.Fatal(err)
	}
	before, after := vex.NewDecider(in.Statements), vex.NewDecider(back)
	suppressed := 0
	for _, f := range res.Findings {
		for _, product := range []string{res.Target.PURL, ""} {
			b, c := before.Decide(f.IDs(), f.Component.PURL, product), after.Decide(f.IDs(), f.Component.PURL, product)
			if (b != nil && b.Suppresses()) != (c != nil && c.Suppresses()) {
				t.Errorf("%s in %s: suppressed %v by the VEX, %v by the CSAF", f.ID, f.Component.PURL, b != nil && b.Suppresses(), c != nil && c.Suppresses())
			}
			if c != nil && c.Suppresses() {
				suppressed++
			}
		}
	}
	if suppressed == 0 {
		t.Error("nothing suppressed: the test shows nothing")
	}
}

func TestCreateOtherProduct(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*Inputs)
		want string
	}{
		{"statement for another package", func(in *Inputs) {
			in.Statements = append(in.Statements, statement("CVE-1", "pkg:npm/lodash@4.17.21", vex.Fixed, "o.vex.json#/statements/4", nil))
		}, `vex "o.vex.json": /statements/4: not about the releases given: pkg:npm/lodash@4.17.21 is in none of the SBOMs`},
		{"version not in the SBOMs", func(in *Inputs) {
			in.Statements = append(in.Statements, statement("CVE-1", "pkg:npm/ws@8.0.0", vex.Fixed, "o.vex.json#/statements/0", nil))
		}, `which have version 7.5.9, 7.5.10`},
		{"scan of another release", func(in *Inputs) {
			in.Scans[0].Result.Target = scan.Target{Name: "fw", Version: "9.9.9"}
		}, `scan result "scan.json": /target: not about the releases given: the scan is of fw 9.9.9`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, _ := sample()
			tt.edit(&in)
			_, err := Create(in, Options{Publisher: testPublisher, Now: testNow})
			if !errors.Is(err, ErrOtherProduct) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	in, _ := sample()
	a, err := Create(in, Options{ID: "EXC-2026-0001", Publisher: testPublisher, Now: testNow, Status: "interim"})
	if err != nil {
		t.Fatal(err)
	}
	later := testNow.Add(24 * time.Hour)
	b, err := Update(a, nil, UpdateOptions{Summary: "Final analysis.", Status: "final", Now: later})
	if err != nil {
		t.Fatal(err)
	}
	tr := b.Document.Tracking
	if tr.Version != "2" || tr.Status != "final" || len(tr.RevisionHistory) != 2 || tr.InitialReleaseDate != a.Document.Tracking.InitialReleaseDate || tr.CurrentReleaseDate != later.Format(time.RFC3339) {
		t.Errorf("tracking %+v", tr)
	}
	if r, _ := ValidateAdvisory(b, "b.json"); !r.Valid {
		t.Errorf("updated document invalid: %v", r.Findings)
	}
	if _, err := Update(b, nil, UpdateOptions{Summary: "x", Status: "draft", Now: later}); err == nil {
		t.Error("a final document went back to draft")
	}
	if len(a.Document.Tracking.RevisionHistory) != 1 {
		t.Error("Update changed the old document")
	}
}

// TestCreateVersionRange: a statement about "fw before 1.3.0" (the purl's
// vers qualifier) becomes a product_version_range, applies to the
// releases in it, and its fix is 1.3.0.
func TestCreateVersionRange(t *testing.T) {
	t.Parallel()
	in, _ := sample()
	in.Scans = nil
	in.Statements = []vex.Statement{statement("CVE-2026-1111", "pkg:generic/example/fw?vers=vers:generic/%3C1.3.0", vex.Affected, "r.vex.json#/statements/0", nil)}
	a, err := Create(in, Options{Publisher: testPublisher, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := ValidateAdvisory(a, "out.json"); !r.Valid {
		t.Fatalf("invalid: %v", r.Findings)
	}
	product := a.ProductTree.Branches[0].Branches[0]
	last := product.Branches[len(product.Branches)-1]
	if last.Category != "product_version_range" || last.Name != "vers:generic/<1.3.0" {
		t.Errorf("last branch %+v", last)
	}
	v := a.Vulnerabilities[0]
	want := []string{"fw-1.2.0", last.Product.ProductID}
	if diff := cmp.Diff(want, v.ProductStatus.KnownAffected); diff != "" {
		t.Errorf("known_affected (-want +got):\n%s", diff)
	}
	if len(v.Remediations) != 1 || v.Remediations[0].Details != "Update to fw 1.3.0 or later." {
		t.Errorf("remediations %+v", v.Remediations)
	}
	in.Statements[0].Products[0].ID = "pkg:generic/other/fw?vers=vers:generic/%3C1.3.0"
	if _, err := Create(in, Options{Publisher: testPublisher, Now: testNow}); !errors.Is(err, ErrOtherProduct) {
		t.Errorf("range of another product: %v", err)
	}
}
