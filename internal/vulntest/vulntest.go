// Package vulntest gives the vulnerability management tests their real
// data: a store of the sample advisories in vulnmgmt/testdata/advisories
// (real OSV records, attributed there) and the SBOM of the real lockfiles
// in sbom/testdata/lockfiles.
package vulntest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/generate"
	"github.com/sdlkit/sdlkit/vulnmgmt/advisories"
)

// Root is the repository's root directory.
func Root(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("vulntest: no caller information")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Sources are the sample advisories: three OSV exports and a directory of
// YAML records.
func Sources(t testing.TB) []advisories.Source {
	t.Helper()
	dir := filepath.Join(Root(t), "vulnmgmt", "testdata", "advisories")
	var out []advisories.Source
	for _, name := range []string{"Go-all.zip", "npm-all.zip", "crates.io-all.zip", "PyPI"} {
		out = append(out, advisories.Source{Path: filepath.Join(dir, name)})
	}
	return out
}

// TriageVEX is an OpenVEX document with a statement of each status about
// findings of the lockfiles' SBOM: node-fetch not_affected, nth-check
// fixed, ws under_investigation, postcss affected.
const TriageVEX = `{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/plc-2026-001",
  "author": "PSIRT of Example Controls <psirt@example.com>",
  "timestamp": "2026-12-01T10:00:00Z",
  "version": 1,
  "statements": [
    {"vulnerability": {"name": "CVE-2022-0235"}, "products": [{"@id": "pkg:npm/node-fetch@2.7.0"}],
     "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
    {"vulnerability": {"name": "GHSA-rp65-9cf3-cjxr"}, "products": [{"@id": "pkg:npm/nth-check@1.0.2"}], "status": "fixed"},
    {"vulnerability": {"name": "CVE-2024-37890"}, "products": [{"@id": "pkg:npm/ws@7.5.9"}], "status": "under_investigation"},
    {"vulnerability": {"name": "CVE-2023-44270"}, "products": [{"@id": "pkg:npm/postcss@7.0.39"}], "status": "affected", "action_statement": "upgrade to 8.4.31"}
  ]
}`

// ImportTime is the import time the sample store records.
var ImportTime = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// StoreDir imports the sample advisories into a new store and returns its
// directory.
func StoreDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := advisories.Import(context.Background(), dir, Sources(t), advisories.ImportOptions{Now: ImportTime}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Store opens a new store of the sample advisories, closed when the test
// ends.
func Store(t testing.TB) *advisories.Store {
	t.Helper()
	s, err := advisories.Open(StoreDir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Lockfiles returns a directory holding the real lockfiles of five
// projects (sbom/testdata/lockfiles, unpacked).
func Lockfiles(t testing.TB) string {
	t.Helper()
	return sbomtest.Tree(t, filepath.Join(Root(t), "sbom", "testdata", "lockfiles"))
}

// LockfilesSBOM generates the SBOM of Lockfiles, development dependencies
// included, without the module cache.
func LockfilesSBOM(t testing.TB) *sbom.BOM {
	t.Helper()
	b, err := generate.SBOM(context.Background(), Lockfiles(t), generate.Options{IncludeDev: true, NoGoModuleCache: true})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// WriteFile writes data to name under dir, creating its directories.
func WriteFile(t testing.TB, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
