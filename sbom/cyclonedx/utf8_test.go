package cyclonedx_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sdlkit/sdlkit/sbom/cyclonedx"
	"github.com/sdlkit/sdlkit/sbom/internal/textpos"
)

// TestDecodeInvalidUTF8 refuses a document that is not UTF-8, naming the
// place, rather than turning the bytes into U+FFFD.
func TestDecodeInvalidUTF8(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"type\":\"library\",\"name\":\"a\xff\",\"version\":\"1\"}]}",
		"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components><component type=\"library\"><name>a\xff</name></component></components></bom>",
	} {
		_, err := cyclonedx.Decode(strings.NewReader(doc), "bad.json")
		if err == nil || !strings.Contains(err.Error(), "bad.json") || !strings.Contains(err.Error(), "UTF-8") {
			t.Errorf("err = %v, want invalid UTF-8 in bad.json", err)
		}
	}
	_, err := cyclonedx.Decode(strings.NewReader("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"name\":\"a\xff\"}]}"), "bad.json")
	if !errors.Is(err, textpos.ErrInvalidUTF8) || !strings.Contains(err.Error(), "/components/0/name") {
		t.Errorf("err = %v, want the JSON path /components/0/name", err)
	}
}
