package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEncodeSPDXGolden(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := EncodeSPDX(&buf, testBOM()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("testdata", "golden", "small.spdx.json"), buf.Bytes())
	ids := regexp.MustCompile(`"SPDXID": "([^"]*)"`).FindAllStringSubmatch(buf.String(), -1)
	for _, id := range ids {
		if !regexp.MustCompile(`^SPDXRef-[A-Za-z0-9.-]+$`).MatchString(id[1]) {
			t.Errorf("invalid SPDX identifier %q", id[1])
		}
	}
}

func TestSPDXRoundTrip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := EncodeSPDX(&buf, testBOM()); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSPDX(&buf, "small.spdx.json")
	if err != nil {
		t.Fatal(err)
	}
	want := testBOM()
	// SPDX has no scope, locations, properties or artifacts-as-such: the
	// artifact comes back as a FILE package.
	for i := range want.Components {
		c := &want.Components[i]
		c.Scope, c.Locations, c.Properties = "", nil, nil
		if len(c.Licenses) != 1 || !isSPDXExpression(c.Licenses[0]) {
			c.Licenses = nil
		}
	}
	gotRefs := map[string]Component{}
	for _, c := range got.Components {
		gotRefs[c.BOMRef] = c
	}
	for _, w := range want.Components {
		if diff := cmp.Diff(w, gotRefs[w.BOMRef]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", w.BOMRef, diff)
		}
	}
	if got.Product.Name != want.Product.Name || got.Product.Version != want.Product.Version {
		t.Errorf("product = %s@%s", got.Product.Name, got.Product.Version)
	}
	if diff := cmp.Diff([]string{"pkg:golang/golang.org/x/text@v0.14.0"}, depsOf(got, want.Product.BOMRef)); diff != "" {
		t.Errorf("graph (-want +got):\n%s", diff)
	}
}

func TestDecodeSPDXTrivy(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(fixtures, "sboms", "trivy", "integration", "testdata")
	for _, f := range []string{"conda-spdx.json.golden", "julia-spdx.json.golden", filepath.Join("fixtures", "sbom", "centos-7-spdx.json")} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := DecodeSPDX(bytes.NewReader(data), f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(b.Components) == 0 || b.Product.Name == "" {
			t.Errorf("%s: %d components, product %q", f, len(b.Components), b.Product.Name)
		}
		checkModelInvariants(t, b)
	}
}

func TestDecodeSPDXErrors(t *testing.T) {
	t.Parallel()
	for doc, want := range map[string]string{
		`{"bomFormat": "CycloneDX"}`:            `decode spdx x.json: not an SPDX JSON document`,
		"{\n\"spdxVersion\": \"SPDX-2.3\",\n,}": `decode spdx x.json: line 3: invalid character ',' looking for beginning of object key string`,
	} {
		_, err := DecodeSPDX(strings.NewReader(doc), "x.json")
		if err == nil || err.Error() != want {
			t.Errorf("error = %v, want %q", err, want)
		}
	}
}

func FuzzDecodeSPDX(f *testing.F) {
	var buf bytes.Buffer
	if err := EncodeSPDX(&buf, testBOM()); err == nil {
		f.Add(buf.Bytes())
	}
	f.Add([]byte(`{"spdxVersion":"SPDX-2.2","packages":[{"SPDXID":"SPDXRef-a","name":"a"}],"relationships":[{"spdxElementId":"SPDXRef-a","relatedSpdxElement":"SPDXRef-b","relationshipType":"DEPENDS_ON"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeSPDX(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		if err := EncodeSPDX(&bytes.Buffer{}, b); err != nil {
			t.Fatalf("re-encode: %v", err)
		}
	})
}
