package diff

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sdlkit/sdlkit/sbom"
)

// TestRenderEscapesControlCharacters keeps an ANSI escape in a version, a
// newline in a name and a bidirectional override from reaching the
// terminal raw through the table and Markdown renderers.
func TestRenderEscapesControlCharacters(t *testing.T) {
	t.Parallel()
	comp := func(name, version string) sbom.Component {
		return sbom.Component{BOMRef: name + "@" + version, Type: sbom.TypeLibrary, Name: name, Version: version, Ecosystem: "npm"}
	}
	old := &sbom.BOM{Product: sbom.Component{Name: "p\x1b]0;pwned\x07"}, Components: []sbom.Component{comp("a\nb", "1.0.0\x1b[31m"), comp("evil\u202egnp", "1.0.0")}}
	new := &sbom.BOM{Product: sbom.Component{Name: "p"}, Components: []sbom.Component{comp("a\nb", "2.0.0\x1b[31m")}}
	d := Compare(old, new, "old", "new")
	for _, format := range []string{"table", "markdown"} {
		var buf bytes.Buffer
		if err := d.Render(&buf, format); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.ContainsAny(out, "\x1b\x07\u202e") {
			t.Errorf("%s output holds a raw control character:\n%q", format, out)
		}
		for _, want := range []string{`1.0.0\x1b[31m`, `2.0.0\x1b[31m`, `evil\u202egnp`} {
			if !strings.Contains(out, want) {
				t.Errorf("%s output lacks %s:\n%s", format, want, out)
			}
		}
	}
}
