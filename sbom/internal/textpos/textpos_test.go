package textpos

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckJSONUTF8(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc, want string
	}{
		{"{\"bomFormat\": \"CycloneDX\", \"components\": [{\"name\": \"a\"}, {\"name\": \"b\", \"version\": \"1.0\xff\"}]}", "line 1, at /components/1/version: invalid UTF-8"},
		{"{\n \"metadata\": {\"component\": {\"name\": \"x\xc3\"}}\n}", "line 2, at /metadata/component/name: invalid UTF-8"},
		{"{\"a\xffb\": 1}", "line 1, at /a\uFFFDb: invalid UTF-8"},
		{"[\"ok\", \"x/y\", {\"k~/\": \"\xfe\"}]", "line 1, at /2/k~0~1: invalid UTF-8"},
		{"\xff", "line 1, at /: invalid UTF-8"},
	}
	for _, tt := range tests {
		err := CheckJSONUTF8([]byte(tt.doc))
		if err == nil || err.Error() != tt.want || !errors.Is(err, ErrInvalidUTF8) {
			t.Errorf("CheckJSONUTF8(%q) = %v, want %q", tt.doc, err, tt.want)
		}
	}
	if err := CheckJSONUTF8([]byte(`{"name": "Ünïcödé"}`)); err != nil {
		t.Errorf("valid UTF-8: %v", err)
	}
}

func TestJSONPointerAt(t *testing.T) {
	t.Parallel()
	doc := `{"a": [1, {"b": "xyz"}], "c": true}`
	for _, tt := range []struct {
		at   string
		want string
	}{
		{`1,`, "/a/0"},
		{`xyz`, "/a/1/b"},
		{`true`, "/c"},
		{`"c"`, "/c"},
	} {
		if got := JSONPointerAt([]byte(doc), strings.Index(doc, tt.at)); got != tt.want {
			t.Errorf("at %q: %q, want %q", tt.at, got, tt.want)
		}
	}
}
