package lockfile

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/sdlkit/sdlkit/sbom"

	"github.com/google/go-cmp/cmp"
)

// TestGemfileLockChecksums reads Bundler 2.5's CHECKSUMS section, written
// for this test in the shape Bundler writes it.
func TestGemfileLockChecksums(t *testing.T) {
	t.Parallel()
	lock := "GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.16.7-x86_64-linux)\n      racc (~> 1.4)\n    racc (1.8.1)\n\n" +
		"PLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  nokogiri\n\nCHECKSUMS\n" +
		"  nokogiri (1.16.7-x86_64-linux) sha256=A1B2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90\n" +
		"  racc (1.8.1) sha256=4a7f6929691dbec8b5209a0b373bc2614882b55fc5d2e447a21aaa691303d62f\n" +
		"  broken\n\nBUNDLED WITH\n   2.5.16\n"
	info, err := readGemfileLockExtra([]byte(lock))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]sbom.Hash{
		"pkg:gem/nokogiri@1.16.7": {{Algorithm: "SHA-256", Value: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"}},
		"pkg:gem/racc@1.8.1":      {{Algorithm: "SHA-256", Value: "4a7f6929691dbec8b5209a0b373bc2614882b55fc5d2e447a21aaa691303d62f"}},
	}
	if diff := cmp.Diff(want, info.Hashes); diff != "" {
		t.Errorf("hashes (-want +got):\n%s", diff)
	}
	if !slices.Equal(info.Roots, []string{"pkg:gem/nokogiri@1.16.7"}) {
		t.Errorf("roots = %v", info.Roots)
	}
}

func FuzzReadGemfileLockExtra(f *testing.F) {
	addSeedFiles(f, filepath.Join(testdata, "gem", "git", "Gemfile.lock"))
	f.Add([]byte("GEM\n  specs:\n    a (1.0-x86)\n      b (~> 1)\n    b (1.2)\n\nDEPENDENCIES\n  a!\n\nCHECKSUMS\n  a (1.0-x86) sha256=00,sha512=11\n"))
	fuzzReader(f, readGemfileLockExtra)
}
