package scan_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sdlkit/sdlkit/internal/vulntest"
	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/generate"
	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
	"github.com/sdlkit/sdlkit/vulnmgmt/severity"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

// key spells a finding as "ecosystem|name|version|ids", its ids sorted:
// the form the osv-scanner comparison (.ci/bench-scan.sh) normalises both
// scanners' findings to.
func key(f scan.Finding) string {
	ids := slices.Sorted(slices.Values(f.IDs()))
	return strings.Join([]string{f.Component.Ecosystem, f.Component.Name, strings.TrimPrefix(f.Component.Version, "v"), strings.Join(ids, ",")}, "|")
}

func keys(fs []scan.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, key(f))
	}
	slices.Sort(out)
	return out
}

// peerFindings are osv-scanner v2.6.0's findings for the same SBOM
// (`osv-scanner scan source --offline -L all.cdx.json` over the same
// advisories packed as its local database; see .ci/bench-scan.sh).
var peerFindings = []string{
	"Go|github.com/aws/aws-sdk-go|1.55.8|CVE-2020-8911,GHSA-f5pg-7wfw-84q9,GO-2022-0646",
	"Go|github.com/aws/aws-sdk-go|1.55.8|CVE-2020-8912,GHSA-7f33-f4f5-xwgw,GO-2022-0635",
	"Go|github.com/chrismellard/docker-credential-acr-env|0.0.0-20230304212654-82a0ddb27589|GO-2026-6225",
	"Go|github.com/klauspost/compress|1.18.6|GHSA-259r-337f-4rfw,GO-2026-5841",
	"Go|golang.org/x/crypto|0.53.0|GO-2026-5932",
	"Go|golang.org/x/crypto|0.54.0|GO-2026-5932",
	"Go|golang.org/x/mod|0.37.0|CVE-2026-56864,GO-2026-6180",
	"Go|golang.org/x/mod|0.37.0|CVE-2026-56865,GO-2026-6179",
	"Go|golang.org/x/mod|0.38.0|CVE-2026-56864,GO-2026-6180",
	"Go|golang.org/x/mod|0.38.0|CVE-2026-56865,GO-2026-6179",
	"Go|golang.org/x/text|0.38.0|CVE-2026-56852,GO-2026-5970",
	"Go|google.golang.org/grpc|1.82.0|GHSA-hrxh-6v49-42gf,GO-2026-6061",
	"npm|express|4.22.2|CVE-2024-9266,GHSA-jj78-5fmv-mv28",
	"npm|node-fetch|2.7.0|CVE-2022-0235,GHSA-r683-j2x4-v87g",
	"npm|nth-check|1.0.2|CVE-2021-3803,GHSA-rp65-9cf3-cjxr",
	"npm|postcss|7.0.39|CVE-2023-44270,GHSA-7fh5-64p2-3v2j",
	"npm|ws|7.5.9|CVE-2024-37890,GHSA-3h5v-q93c-6h6q",
}

// stdlibFindings are the standard library's, read by hand off the ranges
// of the sample's stdlib and toolchain records: prometheus's go.mod says go
// 1.25.10 (affected where a range fixes 1.25.11 or later), cosign's go
// 1.26.0 (every range introduced at 1.26.0-0). GO-2026-4871, -4978, -4979
// and -4984 fix 1.25.9 and 1.25.10: 1.25.10 is not affected. The toolchain
// records (GO-2026-4871, 4978, 4979, 4984, 6179, 6180) match the standard
// library's version.
var stdlibFindings = func() []string {
	var out []string
	both := []string{"CVE-2026-27145,GO-2026-5037", "CVE-2026-33818,GO-2026-5972", "CVE-2026-39821,GO-2026-5026",
		"CVE-2026-42504,GO-2026-5038", "CVE-2026-42505,GO-2026-5856", "CVE-2026-42507,GO-2026-5039",
		"CVE-2026-56853,GO-2026-6089", "CVE-2026-56858,GO-2026-6091", "CVE-2026-56859,GO-2026-6088",
		"CVE-2026-56860,GO-2026-6218", "CVE-2026-56862,GO-2026-6090", "CVE-2026-56864,GO-2026-6180",
		"CVE-2026-56865,GO-2026-6179"}
	for _, ids := range both {
		out = append(out, "Go|stdlib|1.25.10|"+ids, "Go|stdlib|1.26.0|"+ids)
	}
	for _, ids := range []string{"CVE-2026-27140,GO-2026-4871", "CVE-2026-39817,GO-2026-4979", "CVE-2026-39819,GO-2026-4978",
		"CVE-2026-42501,GO-2026-4984", "CVE-2026-46600,GO-2026-5942"} {
		out = append(out, "Go|stdlib|1.26.0|"+ids)
	}
	return out
}()

// TestScanLockfiles scans the SBOM of five real projects' lockfiles
// against the sample advisories: the findings, alias groups and all, are
// osv-scanner's, plus the standard library's, which osv-scanner leaves out.
func TestScanLockfiles(t *testing.T) {
	t.Parallel()
	store := vulntest.Store(t)
	b := vulntest.LockfilesSBOM(t)
	res, err := scan.Scan(context.Background(), b, store, scan.Options{Source: "lockfiles", Now: vulntest.ImportTime})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Sorted(slices.Values(slices.Concat(peerFindings, stdlibFindings)))
	if diff := cmp.Diff(want, keys(res.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if res.Target.Components != len(b.Components) || res.Store.Digest != store.Info().Digest || res.Store.Records != store.Info().Records {
		t.Errorf("target/store = %+v / %+v, want the SBOM's %d components and the store's digest", res.Target, res.Store, len(b.Components))
	}
	// The store holds no Hex, Maven or RubyGems records for these
	// lockfiles' other ecosystems? It holds crates.io, Go, npm, PyPI: all
	// of the lockfiles' ecosystems are covered.
	for _, u := range res.Unchecked {
		if u.Ecosystem != "" {
			t.Errorf("unchecked ecosystem %s: %s", u.Ecosystem, u.Reason)
		}
	}
	for _, f := range res.Findings {
		if f.Suppressed || len(f.Advisories) == 0 || f.Component.Ref == "" || len(f.Component.Locations) == 0 {
			t.Errorf("finding %s: suppressed=%v advisories=%v ref=%q locations=%v", key(f), f.Suppressed, f.Advisories, f.Component.Ref, f.Component.Locations)
		}
	}
	var total int
	for _, r := range []int{res.Summary.Critical, res.Summary.High, res.Summary.Medium, res.Summary.Low, res.Summary.Unknown} {
		total += r
	}
	if total != len(res.Findings) || res.Summary.Suppressed != 0 {
		t.Errorf("summary %+v counts %d findings, want %d", res.Summary, total, len(res.Findings))
	}
}

// TestScanFinding checks one finding in full: severity from the GHSA
// record's CVSS vector, fixed versions, references and the lockfiles that
// pulled the package in.
func TestScanFinding(t *testing.T) {
	t.Parallel()
	res, err := scan.Scan(context.Background(), vulntest.LockfilesSBOM(t), vulntest.Store(t), scan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(res.Findings, func(f scan.Finding) bool { return f.ID == "GHSA-r683-j2x4-v87g" })
	if i < 0 {
		t.Fatal("no finding GHSA-r683-j2x4-v87g (node-fetch)")
	}
	f := res.Findings[i]
	want := severity.Severity{Rating: severity.High, Score: 8.8, Vector: "CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", Source: "CVSS_V3"}
	if diff := cmp.Diff(want, f.Severity); diff != "" {
		t.Errorf("severity (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"3.1.1"}, f.Fixed); diff != "" {
		t.Errorf("fixed (-want +got):\n%s", diff)
	}
	if !slices.Contains(f.References, "https://nvd.nist.gov/vuln/detail/CVE-2022-0235") {
		t.Errorf("references %v lack the NVD entry", f.References)
	}
	wantLoc := []string{"npm+cli/package-lock.json", "prometheus+prometheus/web/ui/pnpm-lock.yaml", "prometheus+prometheus/web/ui/react-app/pnpm-lock.yaml"}
	if diff := cmp.Diff(wantLoc, f.Component.Locations); diff != "" {
		t.Errorf("locations (-want +got):\n%s", diff)
	}
	// The most severe first: nothing after a finding is rated above it.
	for i := 1; i < len(res.Findings); i++ {
		if res.Findings[i].Severity.Rating.AtLeast(res.Findings[i-1].Severity.Rating) && res.Findings[i].Severity.Rating != res.Findings[i-1].Severity.Rating {
			t.Errorf("finding %d (%s) is rated above finding %d (%s)", i, res.Findings[i].Severity.Rating, i-1, res.Findings[i-1].Severity.Rating)
		}
	}
}

// TestScanGoStandardLibrary matches the standard library and the
// toolchain at the version a go.mod records: its toolchain directive, else
// its go directive, release candidates included.
func TestScanGoStandardLibrary(t *testing.T) {
	t.Parallel()
	store := vulntest.Store(t)
	for _, tc := range []struct {
		name, gomod string
		want        []string // ids of the stdlib findings
	}{
		{"fixed release", "go 1.26.6\n", nil},
		{"go directive", "go 1.26.5\n", []string{"GO-2026-5026", "GO-2026-5942", "GO-2026-5972", "GO-2026-6088", "GO-2026-6089", "GO-2026-6090", "GO-2026-6091", "GO-2026-6179", "GO-2026-6180", "GO-2026-6218"}},
		{"toolchain directive wins", "go 1.20\n\ntoolchain go1.26.5\n", []string{"GO-2026-5026", "GO-2026-5942", "GO-2026-5972", "GO-2026-6088", "GO-2026-6089", "GO-2026-6090", "GO-2026-6091", "GO-2026-6179", "GO-2026-6180", "GO-2026-6218"}},
		{"release candidate", "go 1.27rc2\n", []string{"GO-2026-5026", "GO-2026-5942", "GO-2026-5972", "GO-2026-6088", "GO-2026-6089", "GO-2026-6090", "GO-2026-6091", "GO-2026-6179", "GO-2026-6180", "GO-2026-6218"}},
		{"release candidate fixed", "go 1.27rc3\n", nil},
		{"old release", "go 1.16\n", []string{"GO-2021-0067", "GO-2026-4871", "GO-2026-4978", "GO-2026-4979", "GO-2026-4984", "GO-2026-5026", "GO-2026-5037", "GO-2026-5038", "GO-2026-5039", "GO-2026-5856", "GO-2026-5972", "GO-2026-6088", "GO-2026-6089", "GO-2026-6090", "GO-2026-6091", "GO-2026-6179", "GO-2026-6180", "GO-2026-6218"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			vulntest.WriteFile(t, dir, "go.mod", "module example.com/plc\n\n"+tc.gomod)
			b, err := generate.SBOM(context.Background(), dir, generate.Options{NoGoModuleCache: true})
			if err != nil {
				t.Fatal(err)
			}
			res, err := scan.Scan(context.Background(), b, store, scan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if f.Component.Name != "stdlib" {
					t.Errorf("finding %s on %s", f.ID, f.Component.Name)
				}
				got = append(got, f.ID)
			}
			slices.Sort(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("stdlib findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestScanGoBinary scans the test binary itself: its build info records
// the toolchain that built it and sdlkit's modules.
func TestScanGoBinary(t *testing.T) {
	t.Parallel()
	exe := testExecutable(t)
	b, err := generate.SBOM(context.Background(), exe, generate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(b.Components, func(c sbom.Component) bool { return c.Name == "stdlib" && c.Version != "" }) {
		t.Fatal("the binary's SBOM has no standard library")
	}
	res, err := scan.Scan(context.Background(), b, vulntest.Store(t), scan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Target.Components != len(b.Components) || len(res.Unchecked) != 0 {
		t.Errorf("scanned %d of %d components, unchecked %+v", res.Target.Components, len(b.Components), res.Unchecked)
	}
}

// TestScanUnchecked lists what a scan cannot check: never a silent zero.
func TestScanUnchecked(t *testing.T) {
	t.Parallel()
	b := &sbom.BOM{Product: sbom.Component{Name: "plc"}, Components: []sbom.Component{
		{BOMRef: "a", Name: "phoenix", Version: "1.7.0", Ecosystem: "Hex", PURL: "pkg:hex/phoenix@1.7.0"},
		{BOMRef: "b", Name: "plug", Version: "1.0.0", Ecosystem: "Hex", PURL: "pkg:hex/plug@1.0.0"},
		{BOMRef: "c", Name: "left-pad", Ecosystem: "npm", PURL: "pkg:npm/left-pad"},
		{BOMRef: "d", Name: "firmware-blob", Version: "3.1"},
		{BOMRef: "e", Name: "ws", Version: "7.5.9", Ecosystem: "npm", PURL: "pkg:npm/ws@7.5.9"},
	}}
	res, err := scan.Scan(context.Background(), b, vulntest.Store(t), scan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []scan.Unchecked{
		{Ecosystem: "Hex", Reason: "the advisory store holds no advisories for this ecosystem: import them (sdlkit advisories fetch --ecosystem Hex)"},
		{Component: "pkg:npm/left-pad", Reason: "no version"},
		{Component: "firmware-blob@3.1", Reason: "no ecosystem known (no purl of a type OSV covers)"},
	}
	if diff := cmp.Diff(want, res.Unchecked); diff != "" {
		t.Errorf("unchecked (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"npm|ws|7.5.9|CVE-2024-37890,GHSA-3h5v-q93c-6h6q"}, keys(res.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestScanVEX applies real-shaped OpenVEX statements: not_affected and
// fixed suppress and stay in the result with their statement;
// under_investigation and affected keep the finding open.
func TestScanVEX(t *testing.T) {
	t.Parallel()
	stmts, err := vex.Parse([]byte(vulntest.TriageVEX), "triage.vex.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := scan.Scan(context.Background(), vulntest.LockfilesSBOM(t), vulntest.Store(t), scan.Options{VEX: vex.NewDecider(stmts), VEXFiles: []string{"triage.vex.json"}})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, f := range res.Findings {
		if f.VEX == nil {
			if f.Suppressed {
				t.Errorf("%s suppressed without a statement", f.ID)
			}
			continue
		}
		status[f.ID] = string(f.VEX.Status)
		if f.Suppressed != f.VEX.Suppresses() {
			t.Errorf("%s: suppressed=%v with status %s", f.ID, f.Suppressed, f.VEX.Status)
		}
	}
	want := map[string]string{"GHSA-r683-j2x4-v87g": "not_affected", "GHSA-rp65-9cf3-cjxr": "fixed", "GHSA-3h5v-q93c-6h6q": "under_investigation", "GHSA-7fh5-64p2-3v2j": "affected"}
	if diff := cmp.Diff(want, status); diff != "" {
		t.Errorf("VEX status by finding (-want +got):\n%s", diff)
	}
	if res.Summary.Suppressed != 2 || !slices.Equal(res.VEX, []string{"triage.vex.json"}) {
		t.Errorf("summary %+v, vex %v: want 2 suppressed from triage.vex.json", res.Summary, res.VEX)
	}
	if n := res.AtOrAbove(severity.High); n >= len(res.Findings) {
		t.Errorf("AtOrAbove(high) = %d of %d findings: suppressed ones counted", n, len(res.Findings))
	}
}

// TestScanCancelled stops at once when the context is cancelled.
func TestScanCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := scan.Scan(ctx, vulntest.LockfilesSBOM(t), vulntest.Store(t), scan.Options{}); err == nil {
		t.Fatal("a cancelled scan succeeded")
	}
}

// TestScanTime records the time given, for reproducible results.
func TestScanTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	res, err := scan.Scan(context.Background(), &sbom.BOM{}, vulntest.Store(t), scan.Options{Now: now, Source: filepath.Join("dist", "x.cdx.json")})
	if err != nil {
		t.Fatal(err)
	}
	if !res.ScannedAt.Equal(now) || res.Target.Source != filepath.Join("dist", "x.cdx.json") || res.Findings == nil || len(res.Findings) != 0 {
		t.Errorf("result %+v: want no findings as an empty list, never null", res)
	}
}
