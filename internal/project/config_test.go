package project

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTemplateParses(t *testing.T) {
	t.Parallel()
	data := Template(TemplateOptions{Product: "plc-gateway", Supplier: `Example "Automation"`, Artifacts: []string{"bin/gw-*"}})
	c, err := Parse(data, "sdlkit.yaml")
	if err != nil {
		t.Fatalf("Parse(Template()) = %v\n%s", err, data)
	}
	want := &Config{Product: "plc-gateway", Supplier: `Example "Automation"`, Source: ".", Artifacts: []Pattern{{Glob: "bin/gw-*", Line: 21}},
		Policy: "baseline", Signing: Signing{Keyless: true}, Evidence: "dist/evidence", Advisories: Advisories{MaxAge: 7 * 24 * time.Hour},
		File: "sdlkit.yaml", Dir: ".", Data: data}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestTemplateWithKey(t *testing.T) {
	t.Parallel()
	c, err := Parse(Template(TemplateOptions{Product: "app", Key: "keys/release.key"}), "sdlkit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Signing != (Signing{Key: "keys/release.key"}) {
		t.Errorf("signing = %+v", c.Signing)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const head = "format: sdlkit.config/v1\nproduct: app\n"
	tests := []struct {
		name, data, want string
	}{
		{"unknown key", head + "artefacts: [dist/*]\n", `sdlkit.yaml:3:1: invalid project file: unknown key "artefacts" (known: format, product,`},
		{"unknown nested key", head + "signing:\n  keyfile: x\n", `sdlkit.yaml:4:3: invalid project file: unknown key "signing.keyfile" (known: key, keyless)`},
		{"twice", head + "product: b\n", `sdlkit.yaml:3:1: invalid project file: key "product" given twice`},
		{"wrong format", "format: sdlkit.config/v9\n", `sdlkit.yaml:1:1: invalid project file: format "sdlkit.config/v9", want "sdlkit.config/v1"`},
		{"no format", "product: app\n", `want "sdlkit.config/v1"`},
		{"not a mapping", "- a\n- b\n", "sdlkit.yaml:1:1: invalid project file: the file must be a mapping"},
		{"list for string", head + "policy: [a, b]\n", "sdlkit.yaml:3:9: invalid project file: policy must be a string"},
		{"bool for list", head + "vex: true\n", "sdlkit.yaml:3:6: invalid project file: vex must be a string"},
		{"keyless not bool", head + "signing:\n  keyless: yes please\n", "sdlkit.yaml:4:12: invalid project file: signing.keyless must be true or false"},
		{"key and keyless", head + "signing:\n  key: k\n  keyless: true\n", "signing: give key or keyless, not both"},
		{"bad glob", head + "artifacts: ['dist/[']\n", `sdlkit.yaml:3:13: invalid project file: artifacts: pattern "dist/["`},
		{"empty pattern", head + "artifacts: ['']\n", "artifacts: an empty pattern"},
		{"bad age", head + "advisories:\n  max_age: soon\n", `sdlkit.yaml:4:12: invalid project file: advisories.max_age "soon": not a positive duration`},
		{"control char", head + "supplier: \"a\\x1bb\"\n", "supplier holds a control character"},
		{"syntax", head + "vex: [a\n", "sdlkit.yaml: invalid project file: line 2: did not find expected ',' or ']'"},
		{"empty", "", "the file is empty"},
		{"not utf8", "product: \xff\n", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.data), "sdlkit.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse() = %v, want %q (ErrInvalid)", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestMatchArtifacts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"dist/app-linux", "dist/app-darwin", "dist/sub/x"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "sdlkit.yaml")
	c, err := Parse([]byte("format: sdlkit.config/v1\nartifacts:\n  - dist/*\n  - dist/app-linux\n"), file)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.MatchArtifacts()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "dist/app-darwin"), filepath.Join(dir, "dist/app-linux")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MatchArtifacts (-want +got):\n%s", diff)
	}
	c.Artifacts = append(c.Artifacts, Pattern{Glob: "dist/sub", Line: 9})
	if _, err := c.MatchArtifacts(); !errors.Is(err, ErrNoMatch) || !strings.HasPrefix(err.Error(), file+":9: artifacts: pattern \"dist/sub\" matches no file") {
		t.Errorf("a pattern matching only a directory: %v", err)
	}
	flags := &Config{Artifacts: []Pattern{{Glob: filepath.Join(dir, "nothing*")}}}
	if _, err := flags.MatchArtifacts(); err == nil || !strings.HasPrefix(err.Error(), "--artifact: artifacts: pattern") {
		t.Errorf("a flag pattern matching nothing: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Template(TemplateOptions{Product: "app"}))
	f.Add([]byte("format: sdlkit.config/v1\nsigning: {key: a}\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "f.yaml")
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("error not marked invalid: %v", err)
		}
	})
}
