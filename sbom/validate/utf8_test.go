package validate

import (
	"strings"
	"testing"
)

// TestInvalidUTF8 refuses CycloneDX and SPDX documents that are not UTF-8,
// naming the line and JSON path; such a document was called valid.
func TestInvalidUTF8(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ doc, want string }{
		{"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":[{\"type\":\"library\",\"name\":\"a\",\"version\":\"1.0\xff\"}]}", "validate \"x\": parse json: line 1, at /components/0/version: invalid UTF-8"},
		{"{\"spdxVersion\":\"SPDX-2.3\",\n\"name\":\"doc\xc3\"}", "validate \"x\": parse json: line 2, at /name: invalid UTF-8"},
		{"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nPackageName: a\xff\n", "validate \"x\": parse spdx tag-value: line 3: invalid UTF-8"},
	} {
		r, err := Document([]byte(tc.doc), "x")
		if err == nil || err.Error() != tc.want || r != nil {
			t.Errorf("Document(%q) = %v, %v; want %q", tc.doc, r, err, tc.want)
		}
	}
	if _, err := Document([]byte(strings.Repeat(" ", 3)+`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`), "ok"); err != nil {
		t.Errorf("valid document: %v", err)
	}
}
