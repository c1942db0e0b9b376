package ledger

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exportFixture is a ledger with two releases, a checkpoint, and a record
// of release 2.0.0 made after the checkpoint.
func exportFixture(t *testing.T) (*Ledger, *testKey) {
	t.Helper()
	ctx := context.Background()
	l := newTestLedger(t)
	key := newTestKey("release-key")
	dir := t.TempDir()
	w := &Writer{Ledger: l, Now: clock()}
	for _, v := range []string{"1.0.0", "2.0.0"} {
		f := writeFile(t, dir, "sbom-"+v+".cdx.json", `{"bomFormat":"CycloneDX","v":"`+v+`"}`)
		if _, err := w.Append(ctx, []Entry{{Record: Record{Actor: "ci", Version: v, Requirements: []string{"SM-9"}, Kind: "sbom"}, Files: []string{f}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Checkpoint(ctx, key); err != nil {
		t.Fatal(err)
	}
	late := writeFile(t, dir, "late.txt", "made after the checkpoint")
	if _, err := w.Append(ctx, []Entry{{Record: Record{Actor: "ci", Version: "2.0.0", Requirements: []string{"SVV-1"}, Kind: "test-report"}, Files: []string{late}}}); err != nil {
		t.Fatal(err)
	}
	return l, key
}

// SignBlob signs data with the test key: the signature itself is the
// "bundle".
func (k *testKey) SignBlob(_ context.Context, data []byte) ([]byte, error) {
	return ed25519.Sign(k.priv, data), nil
}

// VerifyBlob checks a SignBlob signature.
func (k *testKey) VerifyBlob(_ context.Context, data, sig []byte) (string, error) {
	if !ed25519.Verify(k.priv.Public().(ed25519.PublicKey), data, sig) {
		return "", errors.New("signature does not verify")
	}
	return k.signer(), nil
}

func export(t *testing.T, l *Ledger, dir string, signer BlobSigner) *Export {
	t.Helper()
	exp, err := l.Export(context.Background(), dir, ExportOptions{Product: "app", Version: "2.0.0", Report: []byte("<!doctype html><title>r</title>\n"), Now: t0, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	return exp
}

// TestExport writes an audit package and verifies it offline: the
// release's records and those tied to no release, as of the checkpoint,
// with a record made after it left out and counted.
func TestExport(t *testing.T) {
	t.Parallel()
	l, key := exportFixture(t)
	dir := filepath.Join(t.TempDir(), "audit")
	exp := export(t, l, dir, key)
	if len(exp.Records) != 2 || exp.Later != 1 || exp.Checkpoint != 1 {
		t.Fatalf("export: %d records, %d later, checkpoint %d", len(exp.Records), exp.Later, exp.Checkpoint)
	}
	for _, name := range []string{"export.json", "proof.json", "catalog.json", "scope.json", "checkpoint.sigstore.json", "report.html"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("package lacks %s", name)
		}
	}
	rep, err := VerifyExport(context.Background(), dir, key.Unsealer(), key)
	if err != nil || !rep.OK() || rep.Records != 2 || len(rep.Verified) != 2 || len(rep.Warnings) != 0 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	if _, err := l.Export(context.Background(), dir, ExportOptions{Product: "app", Version: "2.0.0"}); !errors.Is(err, ErrExportDir) {
		t.Fatalf("export into a full directory: %v", err)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	export(t, l, empty, nil)
	// Unsigned, the package verifies with a warning that the report and
	// the catalog are not proven.
	rep, err = VerifyExport(context.Background(), empty, key.Unsealer(), nil)
	if err != nil || !rep.OK() || len(rep.Warnings) != 1 {
		t.Fatalf("unsigned package: %+v, %v", rep, err)
	}
}

func TestExportNeedsCheckpoint(t *testing.T) {
	t.Parallel()
	l := newTestLedger(t)
	dir := filepath.Join(t.TempDir(), "audit")
	if _, err := l.Export(context.Background(), dir, ExportOptions{Product: "app", Version: "1"}); !errors.Is(err, ErrNoCheckpoint) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a refused export left a directory")
	}
}

// TestVerifyExportDetectsTampering alters a package the ways someone
// between the supplier and the assessor could, and requires a problem
// naming the file each time.
func TestVerifyExportDetectsTampering(t *testing.T) {
	t.Parallel()
	l, key := exportFixture(t)
	base := filepath.Join(t.TempDir(), "audit")
	exp := export(t, l, base, key)
	record := RecordPath(exp.Records[len(exp.Records)-1])
	evidence := ""
	for _, f := range exp.Files {
		if strings.HasPrefix(f.Path, "evidence/") {
			evidence = f.Path
		}
	}
	// relist rewrites export.json to match the files, as an attacker who
	// changes a file would.
	relist := func(t *testing.T, dir string) {
		var e Export
		data, _ := os.ReadFile(filepath.Join(dir, exportManifest))
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatal(err)
		}
		os.Remove(filepath.Join(dir, exportManifest))
		files, err := manifestFiles(dir)
		if err != nil {
			t.Fatal(err)
		}
		e.Files = files
		data, _ = json.Marshal(e)
		if err := os.WriteFile(filepath.Join(dir, exportManifest), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	appendTo := func(name, text string) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			f, err := os.OpenFile(filepath.Join(dir, filepath.FromSlash(name)), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString(text)
			f.Close()
		}
	}
	tests := []struct {
		name   string
		tamper func(*testing.T, string)
		key    *testKey
		want   string
	}{
		{"evidence changed", appendTo(evidence, "x"), key, evidence + ": does not match export.json"},
		{"evidence changed, manifest rewritten", func(t *testing.T, d string) { appendTo(evidence, "x")(t, d); relist(t, d) }, key,
			evidence + ": is not the evidence record"},
		{"record edited, manifest rewritten", func(t *testing.T, d string) {
			p := filepath.Join(d, filepath.FromSlash(record))
			data, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(data), `"sbom"`, `"pentest-report"`, 1)), 0o644)
			relist(t, d)
		}, key, record + ": is not the file the checkpoint's tree holds"},
		{"record deleted", func(t *testing.T, d string) { os.Remove(filepath.Join(d, filepath.FromSlash(record))) }, key, record + ": missing"},
		{"file added", func(t *testing.T, d string) { os.WriteFile(filepath.Join(d, "note.txt"), []byte("trust me"), 0o644) }, key, "note.txt: not listed in export.json"},
		{"report replaced, manifest rewritten", func(t *testing.T, d string) {
			os.WriteFile(filepath.Join(d, exportReport), []byte("<p>all good</p>"), 0o644)
			relist(t, d)
		}, key, "export.json.sigstore.json: signature does not verify"},
		{"catalog replaced, manifest rewritten, signature removed", func(t *testing.T, d string) {
			os.WriteFile(filepath.Join(d, exportCatalog), []byte("{}"), 0o644)
			os.Remove(filepath.Join(d, exportSignature))
			relist(t, d)
		}, key, "catalog.json: load catalog"},
		{"proof of another commit", func(t *testing.T, d string) {
			p := filepath.Join(d, exportProof)
			var pr proof
			data, _ := os.ReadFile(p)
			json.Unmarshal(data, &pr)
			pr.Commit = append(pr.Commit, '\n')
			data, _ = json.Marshal(pr)
			os.WriteFile(p, data, 0o644)
			relist(t, d)
		}, key, "proof.json: the commit it holds is "},
		{"checkpoint verified with another key", func(*testing.T, string) {}, newTestKey("other"), "checkpoint.sigstore.json: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "audit")
			if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
				t.Fatal(err)
			}
			tt.tamper(t, dir)
			rep, err := VerifyExport(context.Background(), dir, tt.key.Unsealer(), tt.key)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range rep.Problems {
				if strings.Contains(p, tt.want) {
					return
				}
			}
			t.Fatalf("no problem says %q: %v", tt.want, rep.Problems)
		})
	}
}
