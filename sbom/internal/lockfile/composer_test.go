package lockfile

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestComposerLicenses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want []string
	}{
		{`["MIT"]`, []string{"MIT"}},
		{`["LGPL-2.1-only", "GPL-3.0-or-later"]`, []string{"LGPL-2.1-only OR GPL-3.0-or-later"}},
		{`["MIT", "Apache-2.0 AND BSD-3-Clause"]`, []string{"MIT OR (Apache-2.0 AND BSD-3-Clause)"}},
		{`["proprietary", "MIT"]`, []string{"proprietary", "MIT"}},
		{`"(LGPL-2.1-only and GPL-3.0-or-later)"`, []string{"(LGPL-2.1-only and GPL-3.0-or-later)"}},
		{`null`, nil},
		{`3`, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, composerLicenses(json.RawMessage(tt.raw))); diff != "" {
			t.Errorf("composerLicenses(%s) (-want +got):\n%s", tt.raw, diff)
		}
	}
}

// TestComposerProvide: a requirement on a virtual package resolves to the
// package that provides it (monolog provides psr/log-implementation, as in
// its real composer.json).
func TestComposerProvide(t *testing.T) {
	t.Parallel()
	lock := `{"packages": [
		{"name": "monolog/monolog", "version": "3.7.0", "require": {"php": ">=8.1", "psr/log": "^2.0 || ^3.0"}, "provide": {"psr/log-implementation": "3.0.0"}},
		{"name": "psr/log", "version": "3.0.2", "require": {"php": ">=8.0.0"}},
		{"name": "example/app-lib", "version": "1.0.0", "require": {"psr/log-implementation": "*", "Monolog/Monolog": "^3"}}
	]}`
	info, err := readComposerExtra([]byte(lock), []byte(`{"require": {"example/app-lib": "^1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"pkg:composer/monolog/monolog@3.7.0"}, info.Edges["pkg:composer/example/app-lib@1.0.0"]); diff != "" {
		t.Errorf("edges of app-lib (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"pkg:composer/example/app-lib@1.0.0"}, info.Roots); diff != "" {
		t.Errorf("roots (-want +got):\n%s", diff)
	}
}

func FuzzReadComposerExtra(f *testing.F) {
	addSeedFiles(f, filepath.Join(testdata, "composer", "composer.lock"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if info, err := readComposerExtra(data, data); err == nil && info == nil {
			t.Fatal("no error and no result")
		}
	})
}
