package csaf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/google/go-cmp/cmp"
)

// TestFileName checks the rule of section 5.1 against the tracking ids of
// the OASIS file-name test documents that conform.
func TestFileName(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{
		"OASIS_CSAF_TC-CSAF_2.0-2021-5-1-11":    "oasis_csaf_tc-csaf_2_0-2021-5-1-11.json",
		"OASIS_CSAF_TC-CSAF_2.0-2021-5-1-12":    "oasis_csaf_tc-csaf_2_0-2021-5-1-12.json",
		"OASIS: #/CSAF_TC-CSAF_2.0-2021-5-1-13": "oasis_csaf_tc-csaf_2_0-2021-5-1-13.json",
		"RHSA-2019:1862":                        "rhsa-2019_1862.json",
		"ICSA-24-235-03":                        "icsa-24-235-03.json",
	} {
		if got := FileName(id); got != want {
			t.Errorf("FileName(%q) = %q, want %q", id, got, want)
		}
	}
}

func writePlan(t *testing.T, dir string, p *Plan) {
	t.Helper()
	for _, f := range p.Files {
		full := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func testSigner(t *testing.T) *OpenPGPSigner {
	t.Helper()
	e, err := openpgp.NewEntity("Example PSIRT", "", "psirt@example.com", &packet.Config{Time: func() time.Time { return testNow.Add(-24 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := armor.Encode(&buf, openpgp.PrivateKeyType, nil)
	if err := e.SerializePrivate(w, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	s, err := NewOpenPGPSigner(buf.Bytes(), nil, func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPublish(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in, _ := sample()
	a, err := Create(in, Options{ID: "EXC-2026-0001", Publisher: testPublisher, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := Marshal(a)
	opts := PublishOptions{BaseURL: "https://psirt.example.com/.well-known/csaf", Signer: testSigner(t)}
	p, err := PlanPublish(os.DirFS(dir), []Source{{File: "a.json", Data: doc}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range p.Files {
		paths = append(paths, f.Path)
	}
	slices.Sort(paths)
	fpr := opts.Signer.Fingerprint()
	want := []string{"openpgp/" + fpr + ".asc", "provider-metadata.json", "white/2026/exc-2026-0001.json", "white/2026/exc-2026-0001.json.asc",
		"white/2026/exc-2026-0001.json.sha256", "white/2026/exc-2026-0001.json.sha512", "white/changes.csv", "white/index.txt"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	writePlan(t, dir, p)
	changes, _ := os.ReadFile(filepath.Join(dir, "white", "changes.csv"))
	if string(changes) != "\"2026/exc-2026-0001.json\",\"2026-12-06T12:00:00Z\"\n" {
		t.Errorf("changes.csv: %q", changes)
	}
	sig, _ := os.ReadFile(filepath.Join(dir, "white", "2026", "exc-2026-0001.json.asc"))
	keys := openpgp.EntityList{opts.Signer.entity}
	if _, err := openpgp.CheckArmoredDetachedSignature(keys, bytes.NewReader(doc), bytes.NewReader(sig), &packet.Config{Time: func() time.Time { return testNow }}); err != nil {
		t.Errorf("signature: %v", err)
	}

	// Publishing again changes nothing.
	p, err = PlanPublish(os.DirFS(dir), []Source{{File: "a.json", Data: doc}}, opts)
	if err != nil || len(p.Files) != 0 || len(p.Unchanged) != 1 {
		t.Fatalf("second publish: %v, files %v", err, p)
	}

	// A changed document needs a new revision.
	a.Document.Title += " (corrected)"
	changed, _ := Marshal(a)
	if _, err := PlanPublish(os.DirFS(dir), []Source{{File: "b.json", Data: changed}}, opts); !errors.Is(err, ErrNoNewRevision) {
		t.Fatalf("changed without revision: %v", err)
	}
	next, err := Update(a, nil, UpdateOptions{Summary: "Title corrected.", Now: testNow.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	updated, _ := Marshal(next)
	p, err = PlanPublish(os.DirFS(dir), []Source{{File: "b.json", Data: updated}}, opts)
	if err != nil || !slices.Equal(p.Documents, []string{"white/2026/exc-2026-0001.json"}) {
		t.Fatalf("update: %v, %+v", err, p)
	}
	writePlan(t, dir, p)
	changes, _ = os.ReadFile(filepath.Join(dir, "white", "changes.csv"))
	if !strings.Contains(string(changes), "2026-12-06T13:00:00Z") {
		t.Errorf("changes.csv after update: %q", changes)
	}
}

func TestPublishRefuses(t *testing.T) {
	t.Parallel()
	in, _ := sample()
	a, _ := Create(in, Options{ID: "EXC-2026-0001", Publisher: testPublisher, Now: testNow})
	doc, _ := Marshal(a)
	opts := PublishOptions{BaseURL: "https://psirt.example.com/.well-known/csaf"}

	notProvider := t.TempDir()
	os.WriteFile(filepath.Join(notProvider, "holiday.jpg"), []byte("x"), 0o644)
	if _, err := PlanPublish(os.DirFS(notProvider), []Source{{File: "a.json", Data: doc}}, opts); !errors.Is(err, ErrNotProvider) {
		t.Errorf("not a provider directory: %v", err)
	}
	badMeta := t.TempDir()
	os.WriteFile(filepath.Join(badMeta, ProviderMetadataFile), []byte(`{"role": "boss"}`), 0o644)
	if _, err := PlanPublish(os.DirFS(badMeta), []Source{{File: "a.json", Data: doc}}, opts); !errors.Is(err, ErrNotProvider) {
		t.Errorf("invalid provider metadata: %v", err)
	}
	a.Document.Tracking.Version = "2"
	invalid, _ := Marshal(a)
	_, err := PlanPublish(os.DirFS(t.TempDir()), []Source{{File: "bad.json", Data: invalid}}, opts)
	if err == nil || !strings.Contains(err.Error(), `csaf "bad.json": /document/tracking/version: invalid CSAF 2.0 (6.1.16`) {
		t.Errorf("invalid document: %v", err)
	}
}
