package validate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdlkit/sdlkit/sbom/format"

	"github.com/google/go-cmp/cmp"
)

// TestValidateRules checks each semantic rule on small documents written
// for the test.
func TestValidateRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want []Finding
	}{
		{
			name: "duplicate bom-ref in nested component",
			doc: cdx16(`"components":[{"type":"library","name":"a","version":"1","bom-ref":"x",
				"components":[{"type":"library","name":"b","version":"1","bom-ref":"x"}]}]`),
			want: []Finding{{SeverityError, RuleUniqueBOMRef, "/components/0/components/0/bom-ref", `bom-ref "x" is already defined at /components/0/bom-ref`}},
		},
		{
			name: "dependency on unknown ref and on a non-component",
			doc: cdx16(`"metadata":{"component":{"type":"application","name":"app","bom-ref":"app"}},
				"components":[{"type":"library","name":"a","version":"1","bom-ref":"a",
				"licenses":[{"license":{"id":"MIT","bom-ref":"lic"}}]}],
				"dependencies":[{"ref":"app","dependsOn":["a","nope","lic"]}]`),
			want: []Finding{
				{SeverityError, RuleDanglingRef, "/dependencies/0/dependsOn/1", `"nope" is not the bom-ref of any component or service`},
				{SeverityError, RuleDanglingRef, "/dependencies/0/dependsOn/2", `"lic" is the bom-ref of /components/0/licenses/0/license/bom-ref, not of a component or service`},
			},
		},
		{
			name: "duplicate dependency entry",
			doc: cdx16(`"components":[{"type":"library","name":"a","version":"1","bom-ref":"a"}],
				"dependencies":[{"ref":"a"},{"ref":"a","dependsOn":[]}]`),
			want: []Finding{{SeverityWarning, RuleDuplicateDependency, "/dependencies/1", `ref "a" already has an entry at /dependencies/0`}},
		},
		{
			name: "invalid purl",
			doc:  cdx16(`"components":[{"type":"library","name":"a","version":"1","purl":"npm/a@1"}]`),
			want: []Finding{{SeverityError, RuleInvalidPURL, "/components/0/purl", `invalid purl "npm/a@1": purl scheme is not "pkg": "npm/a@1"`}},
		},
		{
			name: "missing version is a warning",
			doc:  cdx16(`"components":[{"type":"library","name":"a"},{"type":"file","name":"f"}]`),
			want: []Finding{{SeverityWarning, RuleMissingVersion, "/components/0", `library component "a" has no version: vulnerability matching needs one`}},
		},
		{
			name: "service may be a dependency target",
			doc: cdx16(`"services":[{"name":"s","bom-ref":"s"}],
				"components":[{"type":"library","name":"a","version":"1","bom-ref":"a"}],
				"dependencies":[{"ref":"a","dependsOn":["s"]}]`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Document([]byte(tt.doc), "test.json")
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == nil {
				want = []Finding{}
			}
			if diff := cmp.Diff(want, r.Findings); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidateInputErrors checks that documents which cannot be checked
// give an error naming the file, not a report.
func TestValidateInputErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string
		is              error
	}{
		{"empty", "  \n", "validate \"in.json\": empty document", nil},
		{"truncated", "{\n \"bomFormat\": \"CycloneDX\",\n", "validate \"in.json\": parse json: unexpected EOF", nil},
		{"syntax", "{\n \"a\": tru }", "validate \"in.json\": parse json: line 2: invalid character ' ' in literal true (expecting 'e')", nil},
		{"not a bom", `{"hello": "world"}`, "", format.ErrUnknown},
		{"array", `[1,2]`, "", format.ErrUnknown},
		{"cyclonedx 1.3", `{"bomFormat":"CycloneDX","specVersion":"1.3"}`, "", ErrUnsupportedVersion},
		{"xml other root", `<?xml version="1.0"?><project/>`, "", format.ErrUnknown},
		{"xml 1.2", `<bom xmlns="http://cyclonedx.org/schema/bom/1.2"/>`, "", ErrUnsupportedVersion},
		{"xml broken", "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<components>", "validate \"in.json\": parse xml: line 2: unexpected EOF", nil},
		{"spdx 3", `{"spdxVersion":"SPDX-3.0"}`, "", ErrUnsupportedVersion},
		{"binary", "\x7fELF\x02\x01", "", format.ErrUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Document([]byte(tt.doc), "in.json")
			if err == nil {
				t.Fatalf("got report %+v, want an error", r)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "validate \"in.json\": ") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// cdx16 wraps members into a CycloneDX 1.6 BOM written for the test.
func cdx16(members string) string {
	return `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,` + members + `}`
}

// validateFile validates a file and fails the test on an input error.
func validateFile(t testing.TB, file string) *Report {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Document(data, file)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestValidateXML checks CycloneDX XML through its JSON form.
func TestValidateXML(t *testing.T) {
	t.Parallel()
	r := validateFile(t, filepath.Join("testdata", "valid-dependency-1.6.xml"))
	if !r.Valid || r.Format != format.CycloneDXXML || r.SpecVersion != "1.6" || r.Schema != "bom-1.6.schema.json via-json" {
		t.Errorf("got %+v, want a valid cyclonedx-xml 1.6 report", r)
	}
	r = validateFile(t, filepath.Join("testdata", "invalid-1.5.xml"))
	var got []string
	for _, f := range r.Findings {
		got = append(got, string(f.Severity)+" "+f.Rule+" "+f.Location)
	}
	want := []string{
		"error schema /components/0/hashes/0/content",
		"error unique-bom-ref /components/1/bom-ref",
		"error invalid-purl /components/1/purl",
		"error dangling-ref /dependencies/0/dependsOn/0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
