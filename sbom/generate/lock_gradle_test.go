package generate

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sdlkit/sdlkit/sbom"

	"github.com/google/go-cmp/cmp"
)

func TestGradleLockfileScopes(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(testdata, "gradle", "gradle.lockfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		includeDev bool
		want       map[string]sbom.Scope
	}{
		{false, map[string]sbom.Scope{
			"pkg:maven/com.google.guava/guava@32.1.3-jre":                  sbom.ScopeRequired,
			"pkg:maven/androidx.core/core@1.12.0":                          sbom.ScopeRequired,
			"pkg:maven/org.projectlombok/lombok@1.18.30":                   sbom.ScopeOptional,
			"pkg:maven/org.eclipse.jdt/org.eclipse.jdt.annotation@2.2.700": sbom.ScopeOptional,
		}},
		{true, map[string]sbom.Scope{
			"pkg:maven/com.google.guava/guava@32.1.3-jre":                  sbom.ScopeRequired,
			"pkg:maven/androidx.core/core@1.12.0":                          sbom.ScopeRequired,
			"pkg:maven/org.projectlombok/lombok@1.18.30":                   sbom.ScopeOptional,
			"pkg:maven/org.eclipse.jdt/org.eclipse.jdt.annotation@2.2.700": sbom.ScopeOptional,
			"pkg:maven/org.junit.jupiter/junit-jupiter-api@5.10.1":         sbom.ScopeExcluded,
			"pkg:maven/org.mockito/mockito-core@5.8.0":                     sbom.ScopeExcluded,
			"pkg:maven/com.puppycrawl.tools/checkstyle@10.12.5":            sbom.ScopeExcluded,
			"pkg:maven/org.jacoco/org.jacoco.agent@0.8.11":                 sbom.ScopeExcluded,
		}},
	} {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"gradle.lockfile": string(data), "buildscript-gradle.lockfile": "com.diffplug.spotless:spotless-plugin-gradle:6.23.3=classpath\nempty=\n"})
		b, err := SBOM(context.Background(), dir, Options{IncludeDev: tc.includeDev})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]sbom.Scope{}
		for _, c := range b.Components {
			got[c.BOMRef] = c.Scope
		}
		if tc.includeDev {
			tc.want["pkg:maven/com.diffplug.spotless/spotless-plugin-gradle@6.23.3"] = sbom.ScopeExcluded
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("includeDev=%v: scopes (-want +got):\n%s", tc.includeDev, diff)
		}
	}
}
