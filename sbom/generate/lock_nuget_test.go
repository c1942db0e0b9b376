package generate

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sdlkit/sdlkit/sbom"

	"github.com/google/go-cmp/cmp"
)

func TestNuGetLock(t *testing.T) {
	t.Parallel()
	b, err := SBOM(context.Background(), filepath.Join(testdata, "nuget"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	const (
		tools    = "pkg:nuget/Microsoft.EntityFrameworkCore.Tools@10.0.2"
		design   = "pkg:nuget/Microsoft.EntityFrameworkCore.Design@10.0.2"
		msbuild  = "pkg:nuget/Microsoft.CodeAnalysis.Workspaces.MSBuild@5.0.0"
		fw       = "pkg:nuget/Microsoft.Build.Framework@18.0.2"
		human    = "pkg:nuget/Humanizer.Core@2.14.1"
		newtonJS = "pkg:nuget/Newtonsoft.Json@13.0.3"
	)
	want := []sbom.Dependency{
		{Ref: b.Product.BOMRef, DependsOn: []string{tools}},
		{Ref: human},
		{Ref: fw},
		// MSBuild asks for Microsoft.Build.Framework 17.11.31; 18.0.2 is
		// what restore resolved.
		{Ref: msbuild, DependsOn: []string{human, fw, newtonJS}},
		{Ref: design, DependsOn: []string{human, fw, msbuild, newtonJS}},
		{Ref: tools, DependsOn: []string{design}},
		{Ref: newtonJS},
	}
	if diff := cmp.Diff(want, b.Dependencies); diff != "" {
		t.Errorf("graph (-want +got):\n%s", diff)
	}
	for _, c := range b.Components {
		if c.BOMRef != fw {
			continue
		}
		want := []sbom.Hash{{Algorithm: "SHA-512", Value: "b0e49bfb42781bf8c2056fd8aa646e2f478e31781fc352902dd0bd4e46ef7c0e71b3bb8d9be3c14172423b3489197b59719aed5e8cdcc313e65224546e677b14"}}
		if diff := cmp.Diff(want, c.Hashes); diff != "" {
			t.Errorf("hashes of %s (-want +got):\n%s", fw, diff)
		}
	}
}
