package spdx_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom/spdx"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/internal/license"

	"github.com/google/go-cmp/cmp"
)

// common is the test data the sbom packages have in common; its README.md
// gives the sources and licenses of the third-party files.
var common = filepath.Join("..", "testdata")

func TestEncodeSPDXGolden(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := spdx.Encode(&buf, sbomtest.SmallBOM()); err != nil {
		t.Fatal(err)
	}
	sbomtest.Golden(t, filepath.Join("testdata", "small.spdx.json"), buf.Bytes())
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
	if err := spdx.Encode(&buf, sbomtest.SmallBOM()); err != nil {
		t.Fatal(err)
	}
	got, err := spdx.Decode(&buf, "small.spdx.json")
	if err != nil {
		t.Fatal(err)
	}
	want := sbomtest.SmallBOM()
	// SPDX has no scope, locations, properties or artifacts-as-such: the
	// artifact comes back as a FILE package.
	for i := range want.Components {
		c := &want.Components[i]
		c.Scope, c.Locations, c.Properties = "", nil, nil
		if len(c.Licenses) != 1 || !license.IsExpression(c.Licenses[0]) {
			c.Licenses = nil
		}
	}
	gotRefs := map[string]sbom.Component{}
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
	if diff := cmp.Diff([]string{"pkg:golang/golang.org/x/text@v0.14.0"}, sbomtest.DepsOf(got, want.Product.BOMRef)); diff != "" {
		t.Errorf("graph (-want +got):\n%s", diff)
	}
}

func TestDecodeSPDXTrivy(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(common, "sboms", "trivy", "integration", "testdata")
	for _, f := range []string{"conda-spdx.json.golden", "julia-spdx.json.golden", filepath.Join("fixtures", "sbom", "centos-7-spdx.json")} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := spdx.Decode(bytes.NewReader(data), f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(b.Components) == 0 || b.Product.Name == "" {
			t.Errorf("%s: %d components, product %q", f, len(b.Components), b.Product.Name)
		}
		sbomtest.CheckModelInvariants(t, b)
	}
}

func TestDecodeSPDXErrors(t *testing.T) {
	t.Parallel()
	for doc, want := range map[string]string{
		`{"bomFormat": "CycloneDX"}`:            `decode spdx x.json: not an SPDX JSON document`,
		"{\n\"spdxVersion\": \"SPDX-2.3\",\n,}": `decode spdx x.json: line 3: invalid character ',' looking for beginning of object key string`,
	} {
		_, err := spdx.Decode(strings.NewReader(doc), "x.json")
		if err == nil || err.Error() != want {
			t.Errorf("error = %v, want %q", err, want)
		}
	}
}

func FuzzDecodeSPDX(f *testing.F) {
	var buf bytes.Buffer
	if err := spdx.Encode(&buf, sbomtest.SmallBOM()); err == nil {
		f.Add(buf.Bytes())
	}
	f.Add([]byte(`{"spdxVersion":"SPDX-2.2","packages":[{"SPDXID":"SPDXRef-a","name":"a"}],"relationships":[{"spdxElementId":"SPDXRef-a","relatedSpdxElement":"SPDXRef-b","relationshipType":"DEPENDS_ON"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := spdx.Decode(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		if err := spdx.Encode(&bytes.Buffer{}, b); err != nil {
			t.Fatalf("re-encode: %v", err)
		}
	})
}
