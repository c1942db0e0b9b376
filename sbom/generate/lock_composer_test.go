package generate

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sdlkit/sdlkit/sbom"

	"github.com/google/go-cmp/cmp"
)

func TestComposerLock(t *testing.T) {
	t.Parallel()
	b, err := SBOM(context.Background(), filepath.Join(testdata, "composer"), Options{IncludeDev: true})
	if err != nil {
		t.Fatal(err)
	}
	const (
		core  = "pkg:composer/drupal/core@10.4.5"
		tfa   = "pkg:composer/drupal/tfa@2.0.0-alpha4"
		field = "pkg:composer/drupal/field_time@1.0.0-beta5"
		tok   = "pkg:composer/theseer/tokenizer@1.1.3"
	)
	want := []sbom.Dependency{
		{Ref: b.Product.BOMRef, DependsOn: []string{field, tfa}},
		{Ref: core}, // its requirements are not in this cut-down lockfile
		{Ref: field, DependsOn: []string{core}},
		{Ref: tfa, DependsOn: []string{core}},
		{Ref: tok},
	}
	if diff := cmp.Diff(want, b.Dependencies); diff != "" {
		t.Errorf("graph (-want +got):\n%s", diff)
	}
	got := map[string]sbom.Component{}
	for _, c := range b.Components {
		got[c.BOMRef] = c
	}
	if diff := cmp.Diff([]string{"BSD-3-Clause"}, got[tok].Licenses); diff != "" {
		t.Errorf("licenses of %s (-want +got):\n%s", tok, diff)
	}
	if diff := cmp.Diff([]sbom.Hash{{Algorithm: "SHA-1", Value: "70b03b6c7868ced71ed0b3ca596ad83e76c2adc0"}}, got[tfa].Hashes); diff != "" {
		t.Errorf("hashes of %s (-want +got):\n%s", tfa, diff)
	}
	if got[field].Scope != sbom.ScopeExcluded {
		t.Errorf("%s scope = %q, want excluded", field, got[field].Scope)
	}
}
