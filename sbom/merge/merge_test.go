package merge

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/cyclonedx"
	"github.com/sdlkit/sdlkit/sbom/validate"

	"github.com/google/go-cmp/cmp"
)

// common is the test data the sbom packages have in common; its README.md
// gives the sources and licenses of the third-party files.
var common = filepath.Join("..", "testdata")

// TestMergeGolden merges an sdlkit-shaped and a trivy-shaped BOM written
// for the test, and checks the output byte for byte, its validity, and that
// it does not depend on anything but the inputs.
func TestMergeGolden(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata")
	inputs := []*sbom.BOM{sbomtest.DecodeFile(t, filepath.Join(dir, "gateway.cdx.json")), sbomtest.DecodeFile(t, filepath.Join(dir, "image.cdx.json"))}
	opts := Options{Name: "gateway", Version: "2.0.0", Supplier: "Example Automation GmbH", Tool: sbom.Tool{Vendor: "sdlkit", Name: "sdlkit", Version: "v0.2.0"}}
	m, err := SBOMs(inputs, opts)
	if err != nil {
		t.Fatal(err)
	}
	got := encodeMerged(t, m)
	sbomtest.Golden(t, filepath.Join(dir, "merged.golden.cdx.json"), got)
	again, err := SBOMs([]*sbom.BOM{sbomtest.DecodeFile(t, filepath.Join(dir, "gateway.cdx.json")), sbomtest.DecodeFile(t, filepath.Join(dir, "image.cdx.json"))}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, encodeMerged(t, again)) {
		t.Error("merging the same inputs twice gave different bytes")
	}
}

// TestMergeDedup checks how components of the two test inputs are merged.
func TestMergeDedup(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata")
	m, err := SBOMs([]*sbom.BOM{sbomtest.DecodeFile(t, filepath.Join(dir, "gateway.cdx.json")), sbomtest.DecodeFile(t, filepath.Join(dir, "image.cdx.json"))}, Options{Name: "gateway", Version: "2.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, c := range m.Components {
		refs = append(refs, c.BOMRef)
	}
	wantRefs := []string{
		"container:registry.example.com/gateway@2.0.0",
		"pkg:deb/debian/openssl@3.0.13-1~deb12u1?arch=amd64",
		"pkg:deb/debian/openssl@3.0.13-1~deb12u1?arch=arm64",
		"pkg:npm/%40acme/widgets@1.2.0",
		"pkg:npm/gateway-ui@2.0.0",
		"pkg:npm/lodash@4.17.21",
		"pkg:pypi/pyyaml@6.0.1",
	}
	if diff := cmp.Diff(wantRefs, refs); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	lodash := m.Components[slices.IndexFunc(m.Components, func(c sbom.Component) bool { return c.BOMRef == "pkg:npm/lodash@4.17.21" })]
	if len(lodash.Hashes) != 2 || !slices.Equal(lodash.Licenses, []string{"MIT", "MIT License"}) || !slices.Equal(lodash.Locations, []string{"ui/package-lock.json"}) {
		t.Errorf("lodash not merged: %+v", lodash)
	}
	wantDeps := []sbom.Dependency{
		{Ref: "container:registry.example.com/gateway@2.0.0", DependsOn: []string{
			"pkg:deb/debian/openssl@3.0.13-1~deb12u1?arch=amd64", "pkg:deb/debian/openssl@3.0.13-1~deb12u1?arch=arm64",
			"pkg:npm/lodash@4.17.21", "pkg:pypi/pyyaml@6.0.1"}},
		{Ref: "gateway@2.0.0", DependsOn: []string{"container:registry.example.com/gateway@2.0.0", "pkg:npm/gateway-ui@2.0.0"}},
		{Ref: "pkg:npm/%40acme/widgets@1.2.0", DependsOn: []string{"pkg:npm/lodash@4.17.21"}},
		{Ref: "pkg:npm/gateway-ui@2.0.0", DependsOn: []string{"pkg:npm/%40acme/widgets@1.2.0", "pkg:pypi/pyyaml@6.0.1"}},
		{Ref: "pkg:npm/lodash@4.17.21"},
		{Ref: "pkg:pypi/pyyaml@6.0.1"},
	}
	if diff := cmp.Diff(wantDeps, m.Dependencies); diff != "" {
		t.Errorf("dependencies (-want +got):\n%s", diff)
	}
	if want := time.Date(2024, 5, 2, 8, 30, 0, 0, time.UTC); !m.Timestamp.Equal(want) {
		t.Errorf("Timestamp = %v, want the latest input's, %v", m.Timestamp, want)
	}
}

// TestMergeThirdParty merges SBOMs made by trivy and cyclonedx-gomod and
// checks that every input component is there under its identity, that every
// edge of every input graph survives, and that the output validates.
func TestMergeThirdParty(t *testing.T) {
	t.Parallel()
	trivy := filepath.Join(sbomtest.Tree(t, filepath.Join(common, "sboms", "trivy")), "integration", "testdata")
	gomod := sbomtest.Tree(t, filepath.Join(common, "sboms", "cyclonedx-gomod", "examples"))
	files := []string{
		filepath.Join(trivy, "fluentd-multiple-lockfiles.cdx.json.golden"),
		filepath.Join(trivy, "fixtures", "sbom", "centos-7-cyclonedx.json"),
		filepath.Join(gomod, "app_minikube-v1.23.1.bom.json"),
		filepath.Join(gomod, "mod_minikube-v1.23.1.bom.json"),
	}
	var inputs []*sbom.BOM
	for _, f := range files {
		inputs = append(inputs, sbomtest.DecodeFile(t, f))
	}
	m, err := SBOMs(inputs, Options{Name: "product", Version: "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{m.Product.BOMRef: true}
	for _, c := range m.Components {
		have[c.BOMRef] = true
	}
	edges := map[[2]string]bool{}
	for _, d := range m.Dependencies {
		for _, t := range d.DependsOn {
			edges[[2]string{d.Ref, t}] = true
		}
	}
	// Inputs' products that are one product (minikube's app and mod SBOMs)
	// are one component, under the first one's identity.
	products := map[string]string{}
	for _, in := range inputs {
		if _, ok := products[productKey(in.Product)]; !ok {
			products[productKey(in.Product)] = componentIdentity(in.Product)
		}
	}
	for i, in := range inputs {
		ids := map[string]string{in.Product.BOMRef: products[productKey(in.Product)]}
		for _, c := range in.Components {
			ids[c.BOMRef] = componentIdentity(c)
			if !have[ids[c.BOMRef]] {
				t.Errorf("%s: component %s missing", files[i], ids[c.BOMRef])
			}
		}
		for _, d := range in.Dependencies {
			for _, to := range d.DependsOn {
				from, ok1 := ids[d.Ref]
				target, ok2 := ids[to]
				if ok1 && ok2 && from != target && !edges[[2]string{from, target}] {
					t.Errorf("%s: edge %s → %s lost", files[i], from, target)
				}
			}
		}
	}
	r, err := validate.Document(encodeMerged(t, m), "merged")
	if err != nil || !r.Valid {
		t.Fatalf("merged BOM does not validate: %v %+v", err, r)
	}
}

// TestMergeNeedsName checks that different products need a name, and that
// the same product is kept.
func TestMergeNeedsName(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata")
	a, b := sbomtest.DecodeFile(t, filepath.Join(dir, "gateway.cdx.json")), sbomtest.DecodeFile(t, filepath.Join(dir, "image.cdx.json"))
	if _, err := SBOMs([]*sbom.BOM{a, b}, Options{}); !errors.Is(err, ErrNeedsName) {
		t.Errorf("Merge of two products without a name: %v, want ErrMergeNeedsName", err)
	}
	m, err := SBOMs([]*sbom.BOM{a, sbomtest.DecodeFile(t, filepath.Join(dir, "gateway.cdx.json"))}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Product.BOMRef != "pkg:npm/gateway-ui@2.0.0" || len(m.Components) != 3 {
		t.Errorf("got product %q and %d components, want gateway-ui and 3", m.Product.BOMRef, len(m.Components))
	}
	if _, err := SBOMs(nil, Options{Name: "x"}); err == nil {
		t.Error("Merge of nothing succeeded")
	}
}

func encodeMerged(t *testing.T, b *sbom.BOM) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := cyclonedx.Encode(&buf, b, cyclonedx.EncodeOptions{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// benchMerge decodes, merges and encodes docs.
