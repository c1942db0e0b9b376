package lockfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
)

// testdata holds the lockfiles the sbom packages' tests share: written ones
// and, in testdata/lockfiles, real ones of five projects (see its README.md).
var testdata = filepath.Join("..", "..", "testdata")

// lockfiles is the five projects' lockfiles.
var lockfiles = filepath.Join(testdata, "lockfiles")

func addSeedFiles(f *testing.F, paths ...string) {
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 512 {
			data = data[:512]
		}
		f.Add(data)
	}
}

func fuzzReader(f *testing.F, read func([]byte) (*Info, error)) {
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := read(data)
		if err == nil && info == nil {
			t.Fatal("no error and no result")
		}
	})
}

func FuzzReadNPMExtra(f *testing.F) {
	addSeedFiles(f, filepath.Join(testdata, "polyglot", "js-npm1", "package-lock.json"))
	f.Add([]byte(`{"packages":{"":{"dependencies":{"a":"1"}},"node_modules/a":{"version":"1.0.0","integrity":"sha512-AAAA sha1-BBBB","license":{"type":"MIT"}},"node_modules/b":{"link":true,"resolved":"w/b"},"w/b":{"version":"2.0.0","dependencies":{"a":"1"}}}}`))
	fuzzReader(f, readNPMExtra)
}

func FuzzReadPNPMExtra(f *testing.F) {
	addSeedFiles(f, filepath.Join(sbomtest.Tree(f, filepath.Join(lockfiles, "prometheus+prometheus")), "web", "ui", "pnpm-lock.yaml"))
	f.Add([]byte("lockfileVersion: '6.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0(b@2.0.0)\npackages:\n  /a@1.0.0(b@2.0.0):\n    resolution: {integrity: sha512-AAAA}\n    dependencies:\n      c: alias@3.0.0\n"))
	fuzzReader(f, readPNPMExtra)
}

func FuzzReadCargoExtra(f *testing.F) {
	f.Add([]byte("[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nchecksum = \"00\"\ndependencies = [\"b\", \"c 2.0.0\"]\n"))
	f.Add([]byte("[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[metadata]\n\"checksum a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\" = \"90492c5858dd7d2e78691cfb89f90d273a2800fc11d98f60786e5d87e2f83781\"\n"))
	fuzzReader(f, readCargoExtra)
}

func FuzzReadPyLockExtra(f *testing.F) {
	addSeedFiles(f, filepath.Join(testdata, "polyglot", "py-uv", "uv.lock"), filepath.Join(lockfiles, "google+osv.dev", "poetry.lock"))
	fuzzReader(f, readPyLockExtra)
}

func FuzzReadGoSum(f *testing.F) {
	addSeedFiles(f, filepath.Join(lockfiles, "sigstore+cosign", "go.sum"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseGoSum(data)
	})
}

func TestPNPMKey(t *testing.T) {
	t.Parallel()
	for key, want := range map[string][2]string{
		"left-pad@1.3.0":                         {"left-pad", "1.3.0"},
		"@babel/core@7.29.7":                     {"@babel/core", "7.29.7"},
		"/@babel/core@7.29.7(supports-color@8)":  {"@babel/core", "7.29.7"},
		"/react-dom/18.2.0_react@18.2.0":         {"react-dom", "18.2.0"},
		"/@types/react/18.2.0":                   {"@types/react", "18.2.0"},
		"ts-jest@29.4.12(@babel/core@7.29.7(x))": {"ts-jest", "29.4.12"},
	} {
		if name, version := pnpmKey(key); name != want[0] || version != want[1] {
			t.Errorf("pnpmKey(%q) = %q, %q; want %q, %q", key, name, version, want[0], want[1])
		}
	}
	for in, want := range map[[2]string]string{
		{"react", "18.2.0(react-dom@18.2.0)"}:      "pkg:npm/react@18.2.0",
		{"string-width-cjs", "string-width@4.2.3"}: "pkg:npm/string-width@4.2.3",
		{"react", "18.2.0_peer@1.0.0"}:             "pkg:npm/react@18.2.0",
		{"x", "link:../x"}:                         "",
	} {
		if got := pnpmDepRef(in[0], in[1]); got != want {
			t.Errorf("pnpmDepRef(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func FuzzReadYarnExtra(f *testing.F) {
	addSeedFiles(f, filepath.Join(testdata, "polyglot", "js-yarn", "yarn.lock"))
	fuzzReader(f, func(data []byte) (*Info, error) {
		info, err := readYarnExtra(data, nil)
		if info == nil && err == nil {
			info = NewInfo() // yarn 2+: left to scalibr
		}
		return info, err
	})
}
