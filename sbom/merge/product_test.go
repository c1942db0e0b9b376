package merge

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/cyclonedx"
)

// gomodStyle is a product SBOM as cyclonedx-gomod writes them: the module
// SBOM's product purl has type=module, the binary SBOM's a subpath and the
// build's GOOS and GOARCH. Written for this test in their shape.
func gomodStyle(t *testing.T, productPURL string, deps ...string) *sbom.BOM {
	t.Helper()
	var comps, on []string
	for _, d := range deps {
		comps = append(comps, `{"bom-ref":"`+d+`","type":"library","name":"`+nameOf(d)+`","version":"v1.0.0","purl":"`+d+`"}`)
		on = append(on, `"`+d+`"`)
	}
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.4","version":1,
"metadata":{"component":{"bom-ref":"` + productPURL + `","type":"application","name":"k8s.io/minikube","version":"` + versionOf(productPURL) + `","purl":"` + productPURL + `"}},
"components":[` + strings.Join(comps, ",") + `],
"dependencies":[{"ref":"` + productPURL + `","dependsOn":[` + strings.Join(on, ",") + `]}]}`
	b, err := cyclonedx.Decode(strings.NewReader(doc), "test")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func versionOf(purl string) string {
	_, v, _ := strings.Cut(purl, "@")
	v, _, _ = strings.Cut(v, "?")
	return v
}

func nameOf(purl string) string {
	name := strings.TrimPrefix(purl, "pkg:golang/")
	name, _, _ = strings.Cut(name, "@")
	return name
}

// TestMergeOneProductsSBOMs merges the module and binary SBOMs of one
// product: the same name and version is the same product, whatever its
// purls' qualifiers and subpath, so no name is needed, and the product is
// not one of its own components, with or without --name.
func TestMergeOneProductsSBOMs(t *testing.T) {
	t.Parallel()
	const toml = "pkg:golang/github.com/BurntSushi/toml@v1.0.0"
	const yaml = "pkg:golang/gopkg.in/yaml.v2@v1.0.0"
	inputs := func() []*sbom.BOM {
		return []*sbom.BOM{
			gomodStyle(t, "pkg:golang/k8s.io/minikube@v1.23.1?type=module", toml),
			gomodStyle(t, "pkg:golang/k8s.io/minikube@v1.23.1?type=module&goos=linux&goarch=amd64#cmd/minikube", toml, yaml),
		}
	}
	for _, tc := range []struct {
		name        string
		opts        Options
		wantProduct string
	}{
		{"no name", Options{}, "k8s.io/minikube"},
		{"named anew", Options{Name: "minikube", Version: "v1.23.1"}, "minikube"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := SBOMs(inputs(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if m.Product.Name != tc.wantProduct {
				t.Errorf("product %q, want %q", m.Product.Name, tc.wantProduct)
			}
			var refs []string
			for _, c := range m.Components {
				refs = append(refs, c.BOMRef)
			}
			if diff := cmp.Diff([]string{toml, yaml}, refs); diff != "" {
				t.Errorf("components (-want +got):\n%s", diff)
			}
			var deps []string
			for _, d := range m.Dependencies {
				if d.Ref == m.Product.BOMRef {
					deps = d.DependsOn
				}
			}
			if diff := cmp.Diff([]string{toml, yaml}, deps); diff != "" {
				t.Errorf("product's dependencies (-want +got):\n%s", diff)
			}
		})
	}
	// Different products still need a name.
	other := gomodStyle(t, "pkg:golang/k8s.io/minikube@v1.24.0?type=module", toml)
	if _, err := SBOMs(append(inputs(), other), Options{}); err != ErrNeedsName {
		t.Errorf("v1.23.1 and v1.24.0 merged without a name: %v", err)
	}
}

// TestMergeKeepsNames checks that names and purls stay as the inputs have
// them — Go module paths are case-sensitive, PyPI names keep their spelling
// — while the components still deduplicate by their ecosystem's rule.
func TestMergeKeepsNames(t *testing.T) {
	t.Parallel()
	a := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
{"bom-ref":"a1","type":"library","name":"github.com/BurntSushi/toml","version":"v1.6.0","purl":"pkg:golang/github.com/BurntSushi/toml@v1.6.0"},
{"bom-ref":"a2","type":"library","name":"Flask_SQLAlchemy","version":"3.1.1","purl":"pkg:pypi/flask-sqlalchemy@3.1.1"},
{"bom-ref":"a3","type":"library","name":"Newtonsoft.Json","version":"13.0.3","purl":"pkg:nuget/Newtonsoft.Json@13.0.3"}]}`
	b := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
{"bom-ref":"b1","type":"library","name":"flask-sqlalchemy","version":"3.1.1","purl":"pkg:pypi/Flask-SQLAlchemy@3.1.1"},
{"bom-ref":"b2","type":"library","name":"newtonsoft.json","version":"13.0.3","purl":"pkg:nuget/newtonsoft.json@13.0.3"}]}`
	var inputs []*sbom.BOM
	for _, doc := range []string{a, b} {
		in, err := cyclonedx.Decode(strings.NewReader(doc), "test")
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	m, err := SBOMs(inputs, Options{Name: "p"})
	if err != nil {
		t.Fatal(err)
	}
	type named struct{ Name, PURL string }
	var got []named
	for _, c := range m.Components {
		got = append(got, named{c.Name, c.PURL})
	}
	want := []named{
		{"github.com/BurntSushi/toml", "pkg:golang/github.com/BurntSushi/toml@v1.6.0"},
		{"Newtonsoft.Json", "pkg:nuget/Newtonsoft.Json@13.0.3"},
		{"Flask_SQLAlchemy", "pkg:pypi/flask-sqlalchemy@3.1.1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
}
