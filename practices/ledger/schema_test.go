package ledger

import (
	"context"
	"encoding/json"
	"testing"
	"testing/fstest"

	"github.com/sdlkit/sdlkit/internal/jsonschema"
)

// TestRecordsMatchSchema checks that the records Append writes validate
// against the published schema, and that records the parser refuses the
// schema refuses too: the schema documents the format the code reads.
func TestRecordsMatchSchema(t *testing.T) {
	t.Parallel()
	s, err := jsonschema.Compile(fstest.MapFS{"record.schema.json": {Data: RecordSchema}}, "https://sdlkit.dev/", "record.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	l := newTestLedger(t)
	sbom := writeFile(t, t.TempDir(), "app.cdx.json", `{"bomFormat":"CycloneDX"}`)
	w := &Writer{Ledger: l, Now: clock()}
	recs, err := w.Append(context.Background(), []Entry{
		{Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SM-9"}, Kind: "sbom", Summary: "SBOM",
			Subject: &Subject{Name: "app", Digest: "sha256:" + sha256Hex([]byte("app"))[7:]}, Producer: "sdlkit sbom generate",
			Facts: map[string]string{"components": "12"}}, Files: []string{sbom}},
		{Record: Record{Actor: "Bob <bob@example.com>", Requirements: []string{"SR-2"}, Kind: "review", Review: &Decision{Status: "approved", Note: "ok"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	validate := func(data []byte) []jsonschema.Finding {
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		f, err := s.Validate(doc)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, r := range recs {
		data, err := r.encode()
		if err != nil {
			t.Fatal(err)
		}
		if f := validate(data); len(f) > 0 {
			t.Errorf("record %s: %v", r.ID, f)
		}
		if _, err := parseRecord(data); err != nil {
			t.Errorf("record %s: %v", r.ID, err)
		}
	}
	bad := map[string]string{
		"unknown field":     `{"format":"sdlkit.ledger.record/v1","id":"000000000000000000000000","time":"2026-01-01T00:00:00Z","actor":"a","product":"p","requirements":["SM-1"],"kind":"sbom","extra":1}`,
		"no requirements":   `{"format":"sdlkit.ledger.record/v1","id":"000000000000000000000000","time":"2026-01-01T00:00:00Z","actor":"a","product":"p","requirements":[],"kind":"sbom"}`,
		"bad digest":        `{"format":"sdlkit.ledger.record/v1","id":"000000000000000000000000","time":"2026-01-01T00:00:00Z","actor":"a","product":"p","requirements":["SM-1"],"kind":"sbom","subject":{"digest":"md5:00"}}`,
		"bad review status": `{"format":"sdlkit.ledger.record/v1","id":"000000000000000000000000","time":"2026-01-01T00:00:00Z","actor":"a","product":"p","requirements":["SM-1"],"kind":"review","review":{"status":"maybe"}}`,
		"other format":      `{"format":"sdlkit.ledger.record/v2","id":"000000000000000000000000","time":"2026-01-01T00:00:00Z","actor":"a","product":"p","requirements":["SM-1"],"kind":"sbom"}`,
	}
	for name, doc := range bad {
		if f := validate([]byte(doc)); len(f) == 0 {
			t.Errorf("%s: the schema accepts it", name)
		}
		if _, err := parseRecord([]byte(doc)); err == nil {
			t.Errorf("%s: the parser accepts it", name)
		}
	}
}
