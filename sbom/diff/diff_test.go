package diff

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/sdlkit/sdlkit/internal/sbomtest"

	"github.com/google/go-cmp/cmp"
)

// TestDiffKinds checks every kind of change on the test BOMs.
func TestDiffKinds(t *testing.T) {
	t.Parallel()
	d := diffFiles(t, filepath.Join("testdata", "old.cdx.json"), filepath.Join("testdata", "new.cdx.json"))
	var got []string
	for _, c := range d.Changes {
		got = append(got, string(c.Kind)+" "+c.Name+" "+c.OldVersion+" "+c.NewVersion)
	}
	want := []string{
		"changed vendored-lib 1.0 1.1",
		"added serde  1.0.200",
		"removed rails 7.0.0 ",
		"changed openssl 3.0.1 3.0.2",
		"downgraded golang.org/x/net v0.20.0 v0.19.0",
		"upgraded org.apache.logging.log4j:log4j-core 2.14.1 2.17.1",
		"removed lodash 3.10.1 ",
		"upgraded lodash 4.17.20 4.17.21",
		"upgraded semver 1.0.0-beta.2 1.0.0",
		"upgraded requests 2.31.0 2.32.3",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	wantLicenses := []LicenseChange{
		{Key: "pkg:golang/github.com/acme/modbus", Name: "github.com/acme/modbus", OldVersion: "v1.0.0", NewVersion: "v1.0.0", OldLicenses: []string{"MIT"}, NewLicenses: []string{"BSD-3-Clause"}},
		{Key: "pkg:pypi/requests", Name: "requests", OldVersion: "2.31.0", NewVersion: "2.32.3", OldLicenses: []string{"Apache-2.0"}, NewLicenses: []string{"Apache-2.0 AND MIT"}},
	}
	if diff := cmp.Diff(wantLicenses, d.Licenses); diff != "" {
		t.Errorf("license changes (-want +got):\n%s", diff)
	}
	if d.Unchanged != 1 {
		t.Errorf("Unchanged = %d, want 1 (modbus)", d.Unchanged)
	}
}

// TestDiffGolden checks the three renderings against golden files.
func TestDiffGolden(t *testing.T) {
	t.Parallel()
	d := diffFiles(t, filepath.Join("testdata", "old.cdx.json"), filepath.Join("testdata", "new.cdx.json"))
	for format, golden := range map[string]string{"table": "diff.table.golden", "json": "diff.json.golden", "markdown": "diff.md.golden"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := d.Render(&buf, format); err != nil {
				t.Fatal(err)
			}
			sbomtest.Golden(t, filepath.Join("testdata", golden), buf.Bytes())
		})
	}
}

// TestDiffRealReleases diffs two releases of proton-bridge as
// cyclonedx-gomod described them (CycloneDX/bom-examples, CC0-1.0; in
// testdata/bom-examples).
func TestDiffRealReleases(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(sbomtest.Tree(t, filepath.Join("testdata", "bom-examples", "SBOM")), "proton-bridge")
	d := diffFiles(t, filepath.Join(dir, "proton-bridge-v1.6.3.bom.json"), filepath.Join(dir, "proton-bridge-v1.8.0.bom.json"))
	want := "0 added, 0 removed, 7 upgraded, 0 downgraded, 0 changed, 0 license changes, 194 unchanged"
	if got := d.Summary(); got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
	if d.Title() != "github.com/ProtonMail/proton-bridge v1.6.3 → github.com/ProtonMail/proton-bridge v1.8.0" {
		t.Errorf("Title() = %q", d.Title())
	}
	// Reversed, every upgrade is a downgrade.
	r := diffFiles(t, filepath.Join(dir, "proton-bridge-v1.8.0.bom.json"), filepath.Join(dir, "proton-bridge-v1.6.3.bom.json"))
	if r.Count(Downgraded) != 7 || r.Count(Upgraded) != 0 {
		t.Errorf("reversed: %s", r.Summary())
	}
}

// TestDiffIdentical checks that a BOM has no changes against itself.
func TestDiffIdentical(t *testing.T) {
	t.Parallel()
	f := filepath.Join(sbomtest.Tree(t, filepath.Join("..", "testdata", "sboms", "cyclonedx-gomod", "examples")), "mod_minikube-v1.23.1.bom.json")
	d := diffFiles(t, f, f)
	if len(d.Changes) != 0 || len(d.Licenses) != 0 || d.Unchanged != d.New.Components {
		t.Errorf("self diff: %s", d.Summary())
	}
}

func diffFiles(t *testing.T, oldFile, newFile string) *Diff {
	t.Helper()
	return Compare(sbomtest.DecodeFile(t, oldFile), sbomtest.DecodeFile(t, newFile), filepath.Base(oldFile), filepath.Base(newFile))
}
