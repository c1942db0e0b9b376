package sbom

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGradleLockfileScopes(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "gradle", "gradle.lockfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		includeDev bool
		want       map[string]Scope
	}{
		{false, map[string]Scope{
			"pkg:maven/com.google.guava/guava@32.1.3-jre":                  ScopeRequired,
			"pkg:maven/androidx.core/core@1.12.0":                          ScopeRequired,
			"pkg:maven/org.projectlombok/lombok@1.18.30":                   ScopeOptional,
			"pkg:maven/org.eclipse.jdt/org.eclipse.jdt.annotation@2.2.700": ScopeOptional,
		}},
		{true, map[string]Scope{
			"pkg:maven/com.google.guava/guava@32.1.3-jre":                  ScopeRequired,
			"pkg:maven/androidx.core/core@1.12.0":                          ScopeRequired,
			"pkg:maven/org.projectlombok/lombok@1.18.30":                   ScopeOptional,
			"pkg:maven/org.eclipse.jdt/org.eclipse.jdt.annotation@2.2.700": ScopeOptional,
			"pkg:maven/org.junit.jupiter/junit-jupiter-api@5.10.1":         ScopeExcluded,
			"pkg:maven/org.mockito/mockito-core@5.8.0":                     ScopeExcluded,
			"pkg:maven/com.puppycrawl.tools/checkstyle@10.12.5":            ScopeExcluded,
			"pkg:maven/org.jacoco/org.jacoco.agent@0.8.11":                 ScopeExcluded,
		}},
	} {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"gradle.lockfile": string(data), "buildscript-gradle.lockfile": "com.diffplug.spotless:spotless-plugin-gradle:6.23.3=classpath\nempty=\n"})
		b, err := Generate(context.Background(), dir, GenerateOptions{IncludeDev: tc.includeDev})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]Scope{}
		for _, c := range b.Components {
			got[c.BOMRef] = c.Scope
		}
		if tc.includeDev {
			tc.want["pkg:maven/com.diffplug.spotless/spotless-plugin-gradle@6.23.3"] = ScopeExcluded
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("includeDev=%v: scopes (-want +got):\n%s", tc.includeDev, diff)
		}
	}
}

func TestGradleLockfileMalformed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		data string
		line int
	}{
		{"# comment\na:b:1=runtimeClasspath\norg.assertj:as", 3}, // truncated
		{"a:b:1=runtimeClasspath\na:b=runtimeClasspath\n", 2},
		{"a:b:1\n", 1},
		{"a::1=runtimeClasspath\n", 1},
		{"a:b:1=\n", 1},
	} {
		_, err := readGradleLockfile([]byte(tc.data), "gradle.lockfile")
		var ferr *FileError
		if !errors.As(err, &ferr) || ferr.Line != tc.line || ferr.Path != "gradle.lockfile" {
			t.Errorf("%q: err = %v, want a FileError at gradle.lockfile:%d", tc.data, err, tc.line)
		}
	}
}

func FuzzReadGradleLockfile(f *testing.F) {
	addSeedFiles(f, filepath.Join("testdata", "gradle", "gradle.lockfile"))
	f.Fuzz(func(t *testing.T, data []byte) {
		comps, err := readGradleLockfile(data, "gradle.lockfile")
		for _, c := range comps {
			if err == nil && (c.PURL == "" || c.Version == "") {
				t.Fatalf("component without purl or version: %+v", c)
			}
		}
	})
}
