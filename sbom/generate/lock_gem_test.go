package generate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sdlkit/sdlkit/internal/sbomtest"
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
			b, err := SBOM(context.Background(), filepath.Join(testdata, "gem", tt.dir), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.roots, sbomtest.DepsOf(b, b.Product.BOMRef)); diff != "" {
				t.Errorf("roots (-want +got):\n%s", diff)
			}
			for ref, want := range tt.edges {
				if diff := cmp.Diff(want, sbomtest.DepsOf(b, ref)); diff != "" {
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

// A Gemfile.lock cut short (scalibr reads what is there without a word) or
// with a broken spec is an error naming the line.
func TestGemfileLockMalformed(t *testing.T) {
	t.Parallel()
	real, err := os.ReadFile(filepath.Join(testdata, "gem", "rails", "Gemfile.lock"))
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
			_, err := SBOM(context.Background(), dir, Options{})
			var fe *FileError
			if !errors.As(err, &fe) || !strings.HasSuffix(fe.Path, "Gemfile.lock") || fe.Line == 0 || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a FileError for Gemfile.lock with a line, containing %q", err, tt.want)
			}
		})
	}
}
