package generate

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom"
)

// gemfileLockWithPathForTest is a Gemfile.lock written for this test in the
// shape Bundler writes for a gem's own repository (a Gemfile with
// "gemspec"): the gem in PATH, its dependencies in GEM.
const gemfileLockWithPathForTest = `PATH
  remote: .
  specs:
    mygem (0.5.1)
      highline (~> 1.7.2)

GEM
  remote: https://rubygems.org/
  specs:
    highline (1.7.8)
    rake (12.0.0)

PLATFORMS
  ruby

DEPENDENCIES
  mygem!
  rake

BUNDLED WITH
   1.13.6
`

// cargoWorkspaceLockForTest is a Cargo.lock (v3) written for this test: a
// workspace of two crates, one depending on the other.
const cargoWorkspaceLockForTest = `version = 3

[[package]]
name = "app"
version = "0.2.0"
dependencies = ["core", "libc"]

[[package]]
name = "core"
version = "0.1.0"

[[package]]
name = "libc"
version = "0.2.177"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "2874a2af47a2325c2001a6e6fad9b16a53b802102b528163885171cf92b15976"
`

// TestLocalPackagesAreTheProduct checks that the project's own packages in
// a lockfile are the product (or its workspace), not dependencies.
func TestLocalPackagesAreTheProduct(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		files      map[string]string
		product    string // bom-ref; "" for the directory's name
		components []string
		roots      []string
	}{
		{"Cargo.lock v1, one crate", map[string]string{"Cargo.lock": cargoLockV1ForTest}, "pkg:cargo/tftp@0.1.0",
			[]string{"pkg:cargo/bitflags@1.0.4", "pkg:cargo/byteorder@1.2.6", "pkg:cargo/mygit@0.1.0"},
			[]string{"pkg:cargo/bitflags@1.0.4", "pkg:cargo/byteorder@1.2.6", "pkg:cargo/mygit@0.1.0"}},
		{"Cargo.toml names the product", map[string]string{"Cargo.lock": cargoLockV1ForTest, "Cargo.toml": "[package]\nname = \"tftp\"\nversion = \"0.1.0\"\n"}, "pkg:cargo/tftp@0.1.0",
			[]string{"pkg:cargo/bitflags@1.0.4", "pkg:cargo/byteorder@1.2.6", "pkg:cargo/mygit@0.1.0"},
			[]string{"pkg:cargo/bitflags@1.0.4", "pkg:cargo/byteorder@1.2.6", "pkg:cargo/mygit@0.1.0"}},
		{"Cargo workspace", map[string]string{"Cargo.lock": cargoWorkspaceLockForTest}, "",
			[]string{"pkg:cargo/libc@0.2.177"}, []string{"pkg:cargo/libc@0.2.177"}},
		{"Gemfile.lock PATH", map[string]string{"Gemfile.lock": gemfileLockWithPathForTest}, "pkg:gem/mygem@0.5.1",
			[]string{"pkg:gem/highline@1.7.8", "pkg:gem/rake@12.0.0"},
			[]string{"pkg:gem/highline@1.7.8", "pkg:gem/rake@12.0.0"}},
	} {
		dir := t.TempDir()
		writeFiles(t, dir, tc.files)
		b, err := SBOM(context.Background(), dir, Options{NoGoModuleCache: true})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		want := tc.product
		if want == "" {
			want = filepath.Base(dir)
		}
		if b.Product.BOMRef != want {
			t.Errorf("%s: product %q, want %q", tc.name, b.Product.BOMRef, want)
		}
		var got []string
		for _, c := range b.Components {
			got = append(got, c.BOMRef)
		}
		if diff := cmp.Diff(tc.components, got); diff != "" {
			t.Errorf("%s: components (-want +got):\n%s", tc.name, diff)
		}
		roots := slices.Clone(sbomtest.DepsOf(b, b.Product.BOMRef))
		slices.Sort(roots)
		if diff := cmp.Diff(tc.roots, roots); diff != "" {
			t.Errorf("%s: product's dependencies (-want +got):\n%s", tc.name, diff)
		}
	}
}

// cargoLockV1ForTest is a Cargo.lock version 1 written for this test in the
// shape Cargo 1.x wrote before 1.41: the crate itself without source, and
// the checksums in [metadata] (the values are crates.io's).
const cargoLockV1ForTest = `[[package]]
name = "bitflags"
version = "1.0.4"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "byteorder"
version = "1.2.6"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "mygit"
version = "0.1.0"
source = "git+https://example.com/mygit#0123456789abcdef0123456789abcdef01234567"

[[package]]
name = "tftp"
version = "0.1.0"
dependencies = [
 "bitflags 1.0.4 (registry+https://github.com/rust-lang/crates.io-index)",
 "byteorder 1.2.6 (registry+https://github.com/rust-lang/crates.io-index)",
 "mygit 0.1.0 (git+https://example.com/mygit#0123456789abcdef0123456789abcdef01234567)",
]

[metadata]
"checksum bitflags 1.0.4 (registry+https://github.com/rust-lang/crates.io-index)" = "228047a76f468627ca71776ecdebd732a3423081fcf5125585bcd7c49886ce12"
"checksum byteorder 1.2.6 (registry+https://github.com/rust-lang/crates.io-index)" = "90492c5858dd7d2e78691cfb89f90d273a2800fc11d98f60786e5d87e2f83781"
"checksum mygit 0.1.0 (git+https://example.com/mygit#0123456789abcdef0123456789abcdef01234567)" = "<none>"
`

// TestCargoLockV1Checksums reads version 1's checksums, kept in its
// [metadata] table; a git dependency's "<none>" is no checksum.
func TestCargoLockV1Checksums(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Cargo.lock": cargoLockV1ForTest})
	b, err := SBOM(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]sbom.Hash{}
	for _, c := range b.Components {
		if len(c.Hashes) > 0 {
			got[c.BOMRef] = c.Hashes
		}
	}
	want := map[string][]sbom.Hash{
		"pkg:cargo/bitflags@1.0.4":  {{Algorithm: "SHA-256", Value: "228047a76f468627ca71776ecdebd732a3423081fcf5125585bcd7c49886ce12"}},
		"pkg:cargo/byteorder@1.2.6": {{Algorithm: "SHA-256", Value: "90492c5858dd7d2e78691cfb89f90d273a2800fc11d98f60786e5d87e2f83781"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hashes (-want +got):\n%s", diff)
	}
}
