package sbom

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGemfileLockGraph(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dir   string
		roots []string
		edges map[string][]string
	}{
		{"rails", []string{"pkg:gem/rails@7.0.2.2"}, map[string][]string{
			"pkg:gem/actioncable@7.0.2.2": {"pkg:gem/actionpack@7.0.2.2", "pkg:gem/activesupport@7.0.2.2", "pkg:gem/nio4r@2.5.8", "pkg:gem/websocket-driver@0.7.5"},
			// A platform gem: the version without its platform, as scalibr.
			"pkg:gem/nokogiri@1.13.3": {"pkg:gem/racc@1.6.0"},
			"pkg:gem/racc@1.6.0":      nil,
		}},
		// Git sources have specs too; "hanami-utils!" is a root.
		{"git", []string{"pkg:gem/hanami-utils@2.0.0.alpha1"}, map[string][]string{
			"pkg:gem/hanami-controller@2.0.0.alpha1": {"pkg:gem/hanami-utils@2.0.0.alpha1", "pkg:gem/rack@2.2.3"},
			"pkg:gem/hanami-utils@2.0.0.alpha1":      {"pkg:gem/concurrent-ruby@1.1.7", "pkg:gem/transproc@1.1.1"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			t.Parallel()
			b, err := Generate(context.Background(), filepath.Join("testdata", "gem", tt.dir), GenerateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.roots, depsOf(b, b.Product.BOMRef)); diff != "" {
				t.Errorf("roots (-want +got):\n%s", diff)
			}
			for ref, want := range tt.edges {
				if diff := cmp.Diff(want, depsOf(b, ref)); diff != "" {
					t.Errorf("%s depends on (-want +got):\n%s", ref, diff)
				}
			}
			// Every gem has an entry: the lockfile gives the whole graph.
			if len(b.Dependencies) != len(b.Components)+1 {
				t.Errorf("%d dependency entries for %d gems and the product", len(b.Dependencies), len(b.Components))
			}
		})
	}
}

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
	want := map[string][]Hash{
		"pkg:gem/nokogiri@1.16.7": {{Algorithm: "SHA-256", Value: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"}},
		"pkg:gem/racc@1.8.1":      {{Algorithm: "SHA-256", Value: "4a7f6929691dbec8b5209a0b373bc2614882b55fc5d2e447a21aaa691303d62f"}},
	}
	if diff := cmp.Diff(want, info.hashes); diff != "" {
		t.Errorf("hashes (-want +got):\n%s", diff)
	}
	if !slices.Equal(info.roots, []string{"pkg:gem/nokogiri@1.16.7"}) {
		t.Errorf("roots = %v", info.roots)
	}
}

func FuzzReadGemfileLockExtra(f *testing.F) {
	addSeedFiles(f, filepath.Join("testdata", "gem", "git", "Gemfile.lock"))
	f.Add([]byte("GEM\n  specs:\n    a (1.0-x86)\n      b (~> 1)\n    b (1.2)\n\nDEPENDENCIES\n  a!\n\nCHECKSUMS\n  a (1.0-x86) sha256=00,sha512=11\n"))
	fuzzReader(f, readGemfileLockExtra)
}

// A Gemfile.lock cut short (scalibr reads what is there without a word) or
// with a broken spec is an error naming the line.
func TestGemfileLockMalformed(t *testing.T) {
	t.Parallel()
	real, err := os.ReadFile(filepath.Join("testdata", "gem", "rails", "Gemfile.lock"))
	if err != nil {
		t.Fatal(err)
	}
	cut := string(real[:strings.Index(string(real), "\nPLATFORMS")+1])
	tests := []struct {
		name, content, want string
	}{
		{"cut before DEPENDENCIES", cut, "Gemfile.lock:"},
		{"broken spec", strings.Replace(string(real), "    racc (1.6.0)", "    racc (1.6", 1), `malformed spec "racc (1.6"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "Gemfile.lock"), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Generate(context.Background(), dir, GenerateOptions{})
			var fe *FileError
			if !errors.As(err, &fe) || !strings.HasSuffix(fe.Path, "Gemfile.lock") || fe.Line == 0 || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a FileError for Gemfile.lock with a line, containing %q", err, tt.want)
			}
		})
	}
}
