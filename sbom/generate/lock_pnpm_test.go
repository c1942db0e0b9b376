package generate

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom"

	"github.com/google/go-cmp/cmp"
)

// pnpmLockV9ForTest and pnpmLockV6ForTest are pnpm lockfiles written for
// this test in the shapes pnpm 9 and pnpm 8 write: a package with a
// platform binary as an optional dependency (sharp's shape), the binary
// marked "optional: true" on its snapshot (v9) or package (v6).
const pnpmLockV9ForTest = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      sharp:
        specifier: ^0.34.5
        version: 0.34.5

packages:

  '@img/sharp-linux-x64@0.34.5':
    resolution: {integrity: sha512-AAAA}
    cpu: [x64]
    os: [linux]

  sharp@0.34.5:
    resolution: {integrity: sha512-BBBB}

snapshots:

  '@img/sharp-linux-x64@0.34.5':
    optional: true

  sharp@0.34.5:
    optionalDependencies:
      '@img/sharp-linux-x64': 0.34.5
`

const pnpmLockV6ForTest = `lockfileVersion: '6.0'

dependencies:
  sharp:
    specifier: ^0.33.0
    version: 0.33.0

packages:

  /@img/sharp-linux-x64@0.33.0:
    resolution: {integrity: sha512-AAAA}
    cpu: [x64]
    os: [linux]
    requiresBuild: true
    dev: false
    optional: true

  /sharp@0.33.0:
    resolution: {integrity: sha512-BBBB}
    requiresBuild: true
    optionalDependencies:
      '@img/sharp-linux-x64': 0.33.0
    dev: false
`

func TestPNPMOptional(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, data string
		want       map[string]sbom.Scope
	}{
		{"v9", pnpmLockV9ForTest, map[string]sbom.Scope{
			"pkg:npm/%40img/sharp-linux-x64@0.34.5": sbom.ScopeOptional, "pkg:npm/sharp@0.34.5": sbom.ScopeRequired}},
		{"v6", pnpmLockV6ForTest, map[string]sbom.Scope{
			"pkg:npm/%40img/sharp-linux-x64@0.33.0": sbom.ScopeOptional, "pkg:npm/sharp@0.33.0": sbom.ScopeRequired}},
	} {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"pnpm-lock.yaml": tc.data})
		b, err := SBOM(context.Background(), dir, Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := map[string]sbom.Scope{}
		for _, c := range b.Components {
			got[c.BOMRef] = c.Scope
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: scopes (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestPNPMv9DevOnly checks, on prometheus' real pnpm 9 workspace lockfile,
// that packages only devDependencies reach are development dependencies:
// dropped by default, kept as excluded with IncludeDev, while what the
// workspace's dependencies reach stays required.
func TestPNPMv9DevOnly(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(sbomtest.Tree(t, filepath.Join(testdata, "lockfiles", "prometheus+prometheus")), "web", "ui")
	scopes := func(opts Options) map[string]sbom.Scope {
		b, err := SBOM(context.Background(), dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]sbom.Scope{}
		for _, c := range b.Components {
			out[c.Name] = c.Scope
		}
		return out
	}
	prod, all := scopes(Options{}), scopes(Options{IncludeDev: true})
	for name, want := range map[string]sbom.Scope{"react": sbom.ScopeRequired, "react-dom": sbom.ScopeRequired, "lodash": sbom.ScopeRequired} {
		if prod[name] != want || all[name] != want {
			t.Errorf("%s: scope %q (default) and %q (IncludeDev), want %q", name, prod[name], all[name], want)
		}
	}
	for _, name := range []string{"vitest", "eslint", "typescript", "vite"} {
		if _, ok := prod[name]; ok {
			t.Errorf("%s: a devDependency kept without IncludeDev", name)
		}
		if all[name] != sbom.ScopeExcluded {
			t.Errorf("%s: scope %q with IncludeDev, want excluded", name, all[name])
		}
	}
	if len(prod) >= len(all) {
		t.Errorf("%d components by default, %d with IncludeDev: dev packages not told apart", len(prod), len(all))
	}
}
