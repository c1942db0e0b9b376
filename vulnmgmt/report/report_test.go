package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sdlkit/sdlkit/internal/jsonschema"
	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/internal/vulntest"
	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/format"
	"github.com/sdlkit/sdlkit/vulnmgmt/report"
	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

// smallBOM is a product with a few real npm packages the sample
// advisories know, a Go module, a Hex package the store has no advisories
// for, a component without version and one whose name holds control
// characters.
func smallBOM() *sbom.BOM {
	return &sbom.BOM{
		Product: sbom.Component{BOMRef: "pkg:generic/plc-firmware@4.2.0", Name: "plc-firmware", Version: "4.2.0", PURL: "pkg:generic/plc-firmware@4.2.0", Type: sbom.TypeApplication},
		Components: []sbom.Component{
			{BOMRef: "pkg:npm/node-fetch@2.7.0", Type: sbom.TypeLibrary, Name: "node-fetch", Version: "2.7.0", Ecosystem: "npm", PURL: "pkg:npm/node-fetch@2.7.0", Locations: []string{"web/package-lock.json"}},
			{BOMRef: "pkg:npm/nth-check@1.0.2", Type: sbom.TypeLibrary, Name: "nth-check", Version: "1.0.2", Ecosystem: "npm", PURL: "pkg:npm/nth-check@1.0.2", Locations: []string{"web/package-lock.json"}},
			{BOMRef: "pkg:npm/ws@7.5.9", Type: sbom.TypeLibrary, Name: "ws", Version: "7.5.9", Ecosystem: "npm", PURL: "pkg:npm/ws@7.5.9", Locations: []string{"web/package-lock.json"}},
			{BOMRef: "pkg:npm/express@4.22.2", Type: sbom.TypeLibrary, Name: "express", Version: "4.22.2", Ecosystem: "npm", PURL: "pkg:npm/express@4.22.2", Locations: []string{"web/package-lock.json"}},
			{BOMRef: "pkg:golang/golang.org/x/crypto@v0.54.0", Type: sbom.TypeLibrary, Name: "golang.org/x/crypto", Version: "v0.54.0", Ecosystem: "Go", PURL: "pkg:golang/golang.org/x/crypto@v0.54.0", Locations: []string{"go.mod"}},
			{BOMRef: "pkg:hex/phoenix@1.7.0", Type: sbom.TypeLibrary, Name: "phoenix", Version: "1.7.0", Ecosystem: "Hex", PURL: "pkg:hex/phoenix@1.7.0"},
			{BOMRef: "pkg:npm/left-pad", Type: sbom.TypeLibrary, Name: "left-pad", Ecosystem: "npm", PURL: "pkg:npm/left-pad"},
			{BOMRef: "evil", Type: sbom.TypeLibrary, Name: "evil\x1b[2Jname|x", Version: "1.0\n"},
		},
	}
}

// result scans smallBOM against the sample advisories with the triage
// VEX, at a fixed time.
func result(t *testing.T) (*sbom.BOM, *scan.Result) {
	t.Helper()
	stmts, err := vex.Parse([]byte(vulntest.TriageVEX), "triage.vex.json")
	if err != nil {
		t.Fatal(err)
	}
	b := smallBOM()
	res, err := scan.Scan(context.Background(), b, vulntest.Store(t), scan.Options{
		Source: "dist/plc-firmware.cdx.json", VEX: vex.NewDecider(stmts), VEXFiles: []string{"triage.vex.json"},
		Tool: scan.Tool{Name: "sdlkit", Version: "v0.4.0"}, Now: time.Date(2026, 12, 6, 12, 30, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	return b, res
}

func render(t *testing.T, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGolden pins the people's formats: the table and the Markdown
// summary, control characters escaped, Markdown cells escaped.
func TestGolden(t *testing.T) {
	t.Parallel()
	_, res := result(t)
	table := render(t, func(b *bytes.Buffer) error { return report.Table(b, res) })
	sbomtest.Golden(t, filepath.Join("testdata", "small.table.golden"), table)
	markdown := render(t, func(b *bytes.Buffer) error { return report.Markdown(b, res) })
	sbomtest.Golden(t, filepath.Join("testdata", "small.md.golden"), markdown)
	for name, out := range map[string][]byte{"table": table, "markdown": markdown} {
		if bytes.ContainsAny(out, "\x1b\r") || bytes.Contains(out, []byte("1.0\n")) {
			t.Errorf("%s output holds a raw control character:\n%q", name, out)
		}
	}
}

// TestJSONSchema checks the JSON result against its documented schema,
// and that the schema catches a broken result.
func TestJSONSchema(t *testing.T) {
	t.Parallel()
	s, err := jsonschema.Compile(os.DirFS(filepath.Join("..", "scan")), "https://sdlkit.dev/", "scan-result.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	_, res := result(t)
	lockRes, err := scan.Scan(context.Background(), vulntest.LockfilesSBOM(t), vulntest.Store(t), scan.Options{Source: "."})
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*scan.Result{"small": res, "lockfiles": lockRes} {
		doc := decode(t, render(t, func(b *bytes.Buffer) error { return report.JSON(b, r) }))
		findings, err := s.Validate(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			t.Errorf("%s: %s", name, f)
		}
	}
	broken := decode(t, render(t, func(b *bytes.Buffer) error { return report.JSON(b, res) }))
	broken.(map[string]any)["findings"].([]any)[0].(map[string]any)["severity"] = map[string]any{"rating": "dire"}
	delete(broken.(map[string]any), "store")
	if findings, err := s.Validate(broken); err != nil || len(findings) < 2 {
		t.Errorf("a result without store and with an unknown rating: %d findings (%v), want both caught", len(findings), err)
	}
}

func decode(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSARIF checks what GitHub code scanning reads: one rule per
// vulnerability, one result per finding at the lockfile that pulled the
// package in, the CVSS score as security-severity, VEX as suppressions.
func TestSARIF(t *testing.T) {
	t.Parallel()
	_, res := result(t)
	var log struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name, Version string
					Rules         []struct {
						ID         string
						Properties map[string]any
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct{ ArtifactLocation struct{ URI string } }
				}
				PartialFingerprints map[string]string
				Suppressions        []struct{ Kind, Status, Justification string }
			}
		}
	}
	if err := json.Unmarshal(render(t, func(b *bytes.Buffer) error { return report.SARIF(b, res) }), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	if len(run.Results) != len(res.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(res.Findings))
	}
	seen := map[string]bool{}
	for _, r := range run.Tool.Driver.Rules {
		if seen[r.ID] {
			t.Errorf("rule %s twice", r.ID)
		}
		seen[r.ID] = true
	}
	fingerprints := map[string]bool{}
	for i, r := range run.Results {
		f := res.Findings[i]
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID || r.RuleID != f.ID {
			t.Errorf("result %d: rule %s at index %d, finding %s", i, r.RuleID, r.RuleIndex, f.ID)
		}
		if uri := r.Locations[0].PhysicalLocation.ArtifactLocation.URI; uri != f.Component.Locations[0] {
			t.Errorf("result %d located at %q, want the lockfile %q", i, uri, f.Component.Locations[0])
		}
		if (len(r.Suppressions) > 0) != f.Suppressed {
			t.Errorf("result %d (%s): suppressions %v, finding suppressed %v", i, f.ID, r.Suppressions, f.Suppressed)
		}
		fp := r.PartialFingerprints["sdlkit/finding/v1"]
		if fp == "" || fingerprints[fp] {
			t.Errorf("result %d: fingerprint %q missing or repeated", i, fp)
		}
		fingerprints[fp] = true
	}
	i := slices.IndexFunc(run.Tool.Driver.Rules, func(r struct {
		ID         string
		Properties map[string]any
	}) bool {
		return r.ID == "GHSA-r683-j2x4-v87g"
	})
	if i < 0 || run.Tool.Driver.Rules[i].Properties["security-severity"] != "8.8" {
		t.Errorf("node-fetch's rule has no security-severity 8.8: %+v", run.Tool.Driver.Rules)
	}
}

// TestCycloneDXVDR checks the vulnerability disclosure report: the SBOM,
// valid against CycloneDX 1.6, with one vulnerability per finding naming
// its component and, where VEX applies, the analysis.
func TestCycloneDXVDR(t *testing.T) {
	t.Parallel()
	b, res := result(t)
	b.Components = slices.DeleteFunc(b.Components, func(c sbom.Component) bool { return c.BOMRef == "evil" || c.BOMRef == "pkg:npm/left-pad" })
	out := render(t, func(buf *bytes.Buffer) error { return report.CycloneDX(buf, b, res) })
	sbomtest.CheckValid(t, "vdr.cdx.json", out, true)
	var doc struct {
		Vulnerabilities []struct {
			ID       string
			Affects  []struct{ Ref string }
			Analysis *struct{ State, Justification string }
			Ratings  []struct {
				Score    float64
				Severity string
				Method   string
			}
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Vulnerabilities) != len(res.Findings) {
		t.Fatalf("%d vulnerabilities for %d findings", len(doc.Vulnerabilities), len(res.Findings))
	}
	states := map[string]string{}
	for _, v := range doc.Vulnerabilities {
		if len(v.Affects) != 1 || !sbomtest.HasRef(b, v.Affects[0].Ref) {
			t.Errorf("%s affects %v, not a component of the SBOM", v.ID, v.Affects)
		}
		if v.Analysis != nil {
			states[v.ID] = v.Analysis.State + "/" + v.Analysis.Justification
		}
	}
	want := map[string]string{"GHSA-r683-j2x4-v87g": "not_affected/code_not_reachable", "GHSA-rp65-9cf3-cjxr": "resolved/", "GHSA-3h5v-q93c-6h6q": "in_triage/"}
	for id, s := range want {
		if states[id] != s {
			t.Errorf("%s analysis %q, want %q", id, states[id], s)
		}
	}
	// The report decodes as an SBOM again: the components survive.
	back, err := format.Decode(bytes.NewReader(out), "vdr.cdx.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Components) != len(b.Components) {
		t.Errorf("%d components after the round trip, want %d", len(back.Components), len(b.Components))
	}
	if !strings.Contains(string(out), `"specVersion": "1.6"`) {
		t.Error("not CycloneDX 1.6")
	}
}
