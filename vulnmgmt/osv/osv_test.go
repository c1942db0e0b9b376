package osv

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// TestParseRealRecords reads the matcher's real advisories, JSON and YAML.
func TestParseRealRecords(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "match", "testdata", "*", "*.*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if !strings.HasSuffix(f, ".json") && !strings.HasSuffix(f, ".yaml") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := Parse(data, f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if id := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)); v.GetId() != id || len(v.GetAffected()) == 0 {
			t.Errorf("%s: id %q, %d affected", f, v.GetId(), len(v.GetAffected()))
		}
		n++
	}
	if n < 8 {
		t.Errorf("read %d records, want the 8 in ../match/testdata", n)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, doc, want string }{
		{"no id", `{"modified": "2024-01-01T00:00:00Z"}`, "read advisory no id: not a valid OSV record: no id"},
		{"no modified", `{"id": "X-1"}`, "read advisory no modified: not a valid OSV record: X-1 has no modified time"},
		{"no package", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}`, "read advisory no package: not a valid OSV record: X-1: affected[0] names no package and ecosystem"},
		{"not json", `{"id": `, "read advisory not json: "},
		{"bad time", `{"id": "X-1", "modified": "yesterday"}`, "read advisory bad time: "},
		{"yaml list", "- a\n- b\n", "read advisory yaml list: "},
		// Ids name files (<ID>.json in exports and snapshots) and appear
		// in messages.
		{"id path", `{"id": "../../etc/passwd", "modified": "2024-01-01T00:00:00Z"}`, `read advisory id path: not a valid OSV record: id "../../etc/passwd" has a path separator`},
		{"id windows path", `{"id": "a\\b", "modified": "2024-01-01T00:00:00Z"}`, `read advisory id windows path: not a valid OSV record: id "a\\b" has a path separator`},
		{"id space", `{"id": "GHSA 1", "modified": "2024-01-01T00:00:00Z"}`, `read advisory id space: not a valid OSV record: id "GHSA 1" has a space`},
		{"id escape", `{"id": "GHSA-\u001b[2J", "modified": "2024-01-01T00:00:00Z"}`, `read advisory id escape: not a valid OSV record: id "GHSA-\x1b[2J" has a space, control character`},
		{"id NUL", `{"id": "GHSA-\u0000", "modified": "2024-01-01T00:00:00Z"}`, `read advisory id NUL: not a valid OSV record: id "GHSA-\x00" has a space, control character`},
		{"id long", `{"id": "` + strings.Repeat("A", MaxIDLength+1) + `", "modified": "2024-01-01T00:00:00Z"}`, "read advisory id long: not a valid OSV record: id longer than 250 bytes"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.doc), tt.name)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want prefix %q", tt.name, err, tt.want)
		}
	}
	for _, id := range []string{"GHSA-jfh8-c2jp-5v3q", "openSUSE-SU-2024:13491-1", "BIT-apache-2021-44228", "ALSA-2024:0001", strings.Repeat("A", MaxIDLength)} {
		if _, err := Parse([]byte(`{"id": "`+id+`", "modified": "2024-01-01T00:00:00Z"}`), "ok"); err != nil {
			t.Errorf("id %q: %v", id, err)
		}
	}
	_, err := Parse([]byte(`{"id": "X-1"}`), "x")
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("err = %v, want ErrInvalid", err)
	}
	big := make([]byte, MaxRecordSize+1)
	if _, err := Parse(big, "big"); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized: %v", err)
	}
}

// TestParseErrorsBounded reads records whose bad token is a megabyte: the
// error quotes a bounded part of it.
func TestParseErrorsBounded(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("1", 1<<20)
	for _, doc := range []string{
		`{"id": ` + long + `}`,
		`{"id": "X-1", "modified": "` + long + `"}`,
		`{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "aliases": ` + long + `}`,
		"id: X-1\nmodified: " + long + "\n",
		"id: [" + long + "\n",
		`{"id": "` + strings.Repeat("é", 1<<19) + `", "modified": 1}`,
	} {
		_, err := Parse([]byte(doc), "x")
		if err == nil {
			t.Fatalf("%.40s…: no error", doc)
		}
		if msg := err.Error(); len(msg) > 300 || !utf8.ValidString(msg) {
			t.Errorf("%.40s…: error of %d bytes (valid UTF-8 %v)", doc, len(msg), utf8.ValidString(msg))
		}
	}
}

// TestParseKeepsUnknownFieldsOut reads a record of a newer schema version
// with a field the bindings do not know.
func TestParseNewerSchema(t *testing.T) {
	t.Parallel()
	v, err := Parse([]byte(`{"schema_version": "9.9.9", "id": "X-1", "modified": "2024-01-01T00:00:00Z", "a_future_field": {"x": 1}, "aliases": ["CVE-2024-0001"]}`), "future")
	if err != nil {
		t.Fatal(err)
	}
	if got := IDs(v); len(got) != 2 || got[1] != "CVE-2024-0001" {
		t.Errorf("IDs = %v", got)
	}
}

// FuzzParse reads arbitrary bytes as an advisory. A record it accepts
// passes Check, and reads back the same from the JSON it writes.
func FuzzParse(f *testing.F) {
	var files []string
	for _, pattern := range []string{
		filepath.Join("..", "match", "testdata", "*", "*.*"),
		filepath.Join("..", "advisories", "testdata", "*", "*.json"),
		filepath.Join("..", "advisories", "testdata", "*", "*", "*.yaml"),
	} {
		matches, _ := filepath.Glob(pattern)
		files = append(files, matches...)
	}
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	if len(files) < 20 {
		f.Fatalf("%d seed files, want the testdata of match and advisories", len(files))
	}
	f.Add([]byte("id: X-1\nmodified: 2024-01-01T00:00:00Z\nwithdrawn: 2024-01-02T00:00:00Z\n"))
	f.Add([]byte("\ufeff{\"id\": \"X-1\", \"modified\": \"2024-01-01T00:00:00Z\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data, "fuzz")
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		if err := Check(v); err != nil {
			t.Fatalf("accepted a record Check refuses: %v", err)
		}
		out, err := protojson.Marshal(v)
		if err != nil {
			t.Fatalf("accepted a record that does not write as JSON: %v", err)
		}
		again, err := Parse(out, "again")
		if err != nil {
			t.Fatalf("the JSON of an accepted record does not read: %v\n%s", err, out)
		}
		if !proto.Equal(v, again) {
			t.Fatalf("the JSON of an accepted record reads as another record:\n%s", out)
		}
	})
}
