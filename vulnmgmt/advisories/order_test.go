package advisories

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestImportOrder gives the same digest whatever the order of the
// sources, also where two databases publish one id with the same modified
// time and other content (as osv-scanner's testdata and go-vulndb do for
// 14 ids of the shared fixtures): the larger content digest wins.
func TestImportOrder(t *testing.T) {
	t.Parallel()
	record := func(summary string) string {
		return `{"schema_version": "1.6.0", "id": "GO-2099-0001", "modified": "2026-01-02T03:04:05Z", "summary": "` + summary + `",
"affected": [{"package": {"ecosystem": "Go", "name": "example.com/plc"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.0"}]}]}]}`
	}
	a, b := t.TempDir(), t.TempDir()
	for dir, summary := range map[string]string{a: "as one database words it", b: "as another words it"} {
		if err := os.WriteFile(filepath.Join(dir, "GO-2099-0001.json"), []byte(record(summary)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	var digests []string
	for _, order := range [][]string{{a, b}, {b, a}} {
		var sources []Source
		for _, p := range order {
			sources = append(sources, Source{Path: p})
		}
		info, err := Import(context.Background(), t.TempDir(), sources, ImportOptions{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if info.Records != 1 {
			t.Fatalf("%d records, want 1", info.Records)
		}
		digests = append(digests, info.Digest)
	}
	if digests[0] != digests[1] {
		t.Errorf("digest depends on the order of the sources: %s, %s", digests[0], digests[1])
	}
}
