package sbom

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixtures is the shared third-party test data (see ../shared/fixtures/README.md).
var fixtures = filepath.Join("..", "..", "shared", "fixtures")

// testBOM is a small BOM that uses every field the codec writes.
func testBOM() *BOM {
	return &BOM{
		Timestamp: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
		Product: Component{
			BOMRef: "pkg:golang/example.com/plc-gateway@v1.2.0", Type: TypeApplication,
			Name: "example.com/plc-gateway", Version: "v1.2.0", PURL: "pkg:golang/example.com/plc-gateway@v1.2.0",
			Ecosystem: "Go", Supplier: "Example Automation GmbH",
		},
		Tools: []Tool{{Vendor: "sdlkit", Name: "sdlkit", Version: "v0.1.0"}},
		Components: []Component{
			{
				BOMRef: "pkg:golang/golang.org/x/text@v0.14.0", Type: TypeLibrary, Name: "golang.org/x/text",
				Version: "v0.14.0", PURL: "pkg:golang/golang.org/x/text@v0.14.0", Ecosystem: "Go", Scope: ScopeRequired,
				Hashes:    []Hash{{Algorithm: "SHA-256", Value: "0ddbd3b3ef8c7e1a1b46b1ba4f2c0d4a1dca4c3a1b3b5d8f5f8e1c2d3e4f5a6b"}},
				Licenses:  []string{"BSD-3-Clause"},
				Locations: []string{"go.mod"},
			},
			{
				BOMRef: "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1", Type: TypeLibrary,
				Name: "org.apache.logging.log4j:log4j-core", Version: "2.17.1",
				PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1", Ecosystem: "Maven",
				Licenses: []string{"Apache-2.0", "Apache License, Version 2.0"}, Locations: []string{"java/pom.xml"},
			},
			{
				BOMRef: "pkg:npm/%40types/node@20.1.0", Type: TypeLibrary, Name: "@types/node", Version: "20.1.0",
				PURL: "pkg:npm/%40types/node@20.1.0", Ecosystem: "npm", Scope: ScopeExcluded,
				Licenses: []string{"MIT OR Apache-2.0"}, Locations: []string{"web/package-lock.json"},
				Properties: []Property{{Name: "sdlkit:dev", Value: "true"}},
			},
		},
		Dependencies: []Dependency{
			{Ref: "pkg:golang/example.com/plc-gateway@v1.2.0", DependsOn: []string{"pkg:golang/golang.org/x/text@v0.14.0"}},
			{Ref: "pkg:golang/golang.org/x/text@v0.14.0"},
		},
		Artifacts: []Artifact{{Name: "plc-gateway_linux_amd64", Size: 1234, Hashes: []Hash{
			{Algorithm: "SHA-256", Value: strings.Repeat("ab", 32)},
			{Algorithm: "SHA-512", Value: strings.Repeat("cd", 64)},
		}}},
		Properties: []Property{{Name: PropertySkipped, Value: "broken/package-lock.json: unexpected end of JSON input"}},
	}
}

func TestEncodeCycloneDXGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		golden string
		opts   EncodeOptions
	}{
		{"small.cdx.json", EncodeOptions{}},
		{"small-1.5.cdx.json", EncodeOptions{SpecVersion: SpecVersion15}},
		{"small.cdx.xml", EncodeOptions{XML: true}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := EncodeCycloneDX(&buf, testBOM(), tt.opts); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "golden", tt.golden), buf.Bytes())
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestCycloneDXRoundTrip(t *testing.T) {
	t.Parallel()
	for _, opts := range []EncodeOptions{{}, {SpecVersion: SpecVersion15}, {XML: true}} {
		var buf bytes.Buffer
		if err := EncodeCycloneDX(&buf, testBOM(), opts); err != nil {
			t.Fatal(err)
		}
		got, err := DecodeCycloneDX(&buf, "small")
		if err != nil {
			t.Fatal(err)
		}
		want := testBOM()
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
	gomod := filepath.Join(fixtures, "sboms", "cyclonedx-gomod", "examples")
	trivy := filepath.Join(fixtures, "sboms", "trivy", "integration", "testdata")
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
		{filepath.Join(fixtures, "cyclonedx", "bom-examples", "SBOM", "laravel-7.12.0", "bom.1.4.json"), -1, -1, "", ""},
		{filepath.Join(fixtures, "cyclonedx", "bom-examples", "SBOM", "juice-shop", "via_npm", "flat", "bom.1.4.json"), -1, -1, "", ""},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			t.Parallel()
			b := decodeFile(t, tt.path)
			if tt.components >= 0 && len(b.Components) != tt.components {
				t.Errorf("components = %d, want %d", len(b.Components), tt.components)
			}
			if tt.deps >= 0 && len(b.Dependencies) != tt.deps {
				t.Errorf("dependencies = %d, want %d", len(b.Dependencies), tt.deps)
			}
			if tt.product != "" && b.Product.Name != tt.product {
				t.Errorf("product = %q, want %q", b.Product.Name, tt.product)
			}
			if tt.checkRef != "" && !hasRef(b, tt.checkRef) {
				t.Errorf("component %s missing", tt.checkRef)
			}
			checkModelInvariants(t, b)
		})
	}
}

func decodeFile(t *testing.T, path string) *BOM {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := DecodeCycloneDX(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hasRef(b *BOM, ref string) bool {
	for _, c := range b.Components {
		if c.BOMRef == ref {
			return true
		}
	}
	return false
}

// checkModelInvariants checks what every decoded BOM promises: unique,
// sorted, non-empty refs.
func checkModelInvariants(t *testing.T, b *BOM) {
	t.Helper()
	for i, c := range b.Components {
		if c.BOMRef == "" {
			t.Errorf("component %d (%s) has no bom-ref", i, c.Name)
		}
		if i > 0 && b.Components[i-1].BOMRef >= c.BOMRef {
			t.Errorf("components not sorted or not unique at %q", c.BOMRef)
		}
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
			_, err := DecodeCycloneDX(strings.NewReader(tt.doc), tt.name)
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
	if err := EncodeCycloneDX(&buf, testBOM(), EncodeOptions{}); err == nil {
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeCycloneDX(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := EncodeCycloneDX(&out, b, EncodeOptions{}); err != nil {
			t.Fatalf("re-encode a decoded BOM: %v", err)
		}
	})
}
