package cyclonedx_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom/cyclonedx"

	"github.com/google/go-cmp/cmp"
)

// common is the test data the sbom packages have in common; its README.md
// gives the sources and licenses of the third-party files.
var common = filepath.Join("..", "testdata")

func TestEncodeCycloneDXGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		golden string
		opts   cyclonedx.EncodeOptions
	}{
		{"small.cdx.json", cyclonedx.EncodeOptions{}},
		{"small-1.5.cdx.json", cyclonedx.EncodeOptions{SpecVersion: cyclonedx.SpecVersion15}},
		{"small.cdx.xml", cyclonedx.EncodeOptions{XML: true}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := cyclonedx.Encode(&buf, sbomtest.SmallBOM(), tt.opts); err != nil {
				t.Fatal(err)
			}
			sbomtest.Golden(t, filepath.Join("testdata", tt.golden), buf.Bytes())
		})
	}
}

func TestCycloneDXRoundTrip(t *testing.T) {
	t.Parallel()
	for _, opts := range []cyclonedx.EncodeOptions{{}, {SpecVersion: cyclonedx.SpecVersion15}, {XML: true}} {
		var buf bytes.Buffer
		if err := cyclonedx.Encode(&buf, sbomtest.SmallBOM(), opts); err != nil {
			t.Fatal(err)
		}
		got, err := cyclonedx.Decode(&buf, "small")
		if err != nil {
			t.Fatal(err)
		}
		want := sbomtest.SmallBOM()
		want.SerialNumber = got.SerialNumber
		if !strings.HasPrefix(got.SerialNumber, "urn:uuid:") {
			t.Errorf("serial number %q is not a urn:uuid", got.SerialNumber)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("round trip %+v (-want +got):\n%s", opts, diff)
		}
	}
}

func TestDecodeCycloneDXOtherTools(t *testing.T) {
	t.Parallel()
	gomod := sbomtest.Tree(t, filepath.Join(common, "sboms", "cyclonedx-gomod", "examples"))
	trivy := filepath.Join(sbomtest.Tree(t, filepath.Join(common, "sboms", "trivy")), "integration", "testdata")
	// Only this test reads juice-shop's BOM: it is in this package's testdata.
	juiceShop := sbomtest.Tree(t, filepath.Join("testdata", "bom-examples", "SBOM"))
	tests := []struct {
		path       string
		components int
		deps       int
		product    string
		checkRef   string // a component that must be there
	}{
		// 136 modules; the Go packages nested under them are parts of them.
		{filepath.Join(gomod, "app_minikube-v1.23.1_with-packages.bom.json"), 136, 137, "k8s.io/minikube", "pkg:golang/cloud.google.com/go@v0.93.3?type=module"},
		{filepath.Join(gomod, "app_minikube-v1.23.1_with-files.bom.json"), 136, 137, "k8s.io/minikube", "pkg:golang/cloud.google.com/go@v0.93.3?type=module"},
		{filepath.Join(gomod, "bin_minikube-v1.23.1.bom.json"), 137, 138, "k8s.io/minikube", "pkg:golang/cloud.google.com/go@v0.93.3?type=module"},
		{filepath.Join(trivy, "fluentd-multiple-lockfiles.cdx.json.golden"), 161, 162, "testdata/fixtures/images/fluentd-multiple-lockfiles.tar.gz", ""},
		{filepath.Join(trivy, "npm-cyclonedx.json.golden"), -1, -1, "", ""},
		{filepath.Join(trivy, "pom-cyclonedx.json.golden"), -1, -1, "", ""},
		{filepath.Join(common, "cyclonedx", "bom-examples", "SBOM", "laravel-7.12.0", "bom.1.4.json"), -1, -1, "", ""},
		{filepath.Join(juiceShop, "juice-shop", "via_npm", "flat", "bom.1.4.json"), -1, -1, "", ""},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			t.Parallel()
			b := sbomtest.DecodeFile(t, tt.path)
			if tt.components >= 0 && len(b.Components) != tt.components {
				t.Errorf("components = %d, want %d", len(b.Components), tt.components)
			}
			if tt.deps >= 0 && len(b.Dependencies) != tt.deps {
				t.Errorf("dependencies = %d, want %d", len(b.Dependencies), tt.deps)
			}
			if tt.product != "" && b.Product.Name != tt.product {
				t.Errorf("product = %q, want %q", b.Product.Name, tt.product)
			}
			if tt.checkRef != "" && !sbomtest.HasRef(b, tt.checkRef) {
				t.Errorf("component %s missing", tt.checkRef)
			}
			sbomtest.CheckModelInvariants(t, b)
		})
	}
}

func TestDecodeCycloneDXErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string
	}{
		{"empty", "  \n", `decode cyclonedx empty: empty document`},
		{"truncated", "{\n \"bomFormat\": \"CycloneDX\",\n \"specVersion\": \"1.6\",\n", `decode cyclonedx truncated: line 4: unexpected end of JSON input`},
		{"syntax", "{\n \"bomFormat\": \"CycloneDX\",\n \"specVersion\": \"1.6\" x\n}", `decode cyclonedx syntax: line 3: invalid character 'x' after object key:value pair`},
		{"type", "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\",\n\"components\": 3}", `decode cyclonedx type: line 2: json: cannot unmarshal number into Go struct field BOM.components of type []cyclonedx.Component`},
		{"spdx", `{"spdxVersion": "SPDX-2.3"}`, `decode cyclonedx spdx: not a CycloneDX document (bomFormat is "")`},
		{"version", `{"bomFormat": "CycloneDX", "specVersion": "9.9"}`, `decode cyclonedx version: invalid specification version`},
		{"xml", "<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<components>\n</bom>", `decode cyclonedx xml: line 4: element <components> closed by </bom>`},
		{"xmlns", `<bom xmlns="urn:example"></bom>`, `decode cyclonedx xmlns: not a CycloneDX document (xml namespace "urn:example")`},
		{"text", "hello", `decode cyclonedx text: not a CycloneDX document (neither JSON nor XML)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := cyclonedx.Decode(strings.NewReader(tt.doc), tt.name)
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzDecodeCycloneDX(f *testing.F) {
	for _, s := range []string{
		`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","components":[{"type":"file","name":"b"}]}]}`,
		`<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components><component type="library"><name>x</name></component></components></bom>`,
	} {
		f.Add([]byte(s))
	}
	var buf bytes.Buffer
	if err := cyclonedx.Encode(&buf, sbomtest.SmallBOM(), cyclonedx.EncodeOptions{}); err == nil {
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := cyclonedx.Decode(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := cyclonedx.Encode(&out, b, cyclonedx.EncodeOptions{}); err != nil {
			t.Fatalf("re-encode a decoded BOM: %v", err)
		}
	})
}

// TestLicensesValidate writes every shape of license list and checks the
// output against the official schemas, in 1.6 and 1.5.
func TestLicensesValidate(t *testing.T) {
	t.Parallel()
	b := sbomtest.SmallBOM()
	b.Components[0].Licenses = []string{"MIT", "Apache-2.0", "Custom License", "MIT OR Apache-2.0"}
	b.Components[1].Licenses = []string{"(MIT OR Apache-2.0) AND BSD-3-Clause"}
	b.Components[2].Licenses = []string{"mit"}
	for _, v := range []string{cyclonedx.SpecVersion16, cyclonedx.SpecVersion15} {
		var buf bytes.Buffer
		if err := cyclonedx.Encode(&buf, b, cyclonedx.EncodeOptions{SpecVersion: v}); err != nil {
			t.Fatal(err)
		}
		sbomtest.CheckValid(t, "licenses "+v, buf.Bytes(), true)
	}
}
