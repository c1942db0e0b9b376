package ledger

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// evidenceLedger makes a ledger with one record naming a 3 MiB evidence
// file and returns it with the git hash of that file's blob.
func evidenceLedger(t *testing.T) (*Ledger, plumbing.Hash, int64) {
	t.Helper()
	l := newTestLedger(t)
	data := bytes.Repeat([]byte("0123456789abcdef\n"), 3<<20/17)
	path := writeFile(t, t.TempDir(), "log.txt", string(data))
	w := &Writer{Ledger: l, Now: clock()}
	recs, err := w.Append(context.Background(), []Entry{{Record: Record{Actor: "ci", Version: "1.0.0",
		Requirements: []string{"SVV-1"}, Kind: "test-report"}, Files: []string{path}}})
	if err != nil {
		t.Fatal(err)
	}
	return l, l.blobs[recs[0].Evidence[0].Digest], int64(len(data))
}

func loosePath(l *Ledger, h plumbing.Hash) string {
	return filepath.Join(l.GitDir(), "objects", h.String()[:2], h.String()[2:])
}

// Verify streams evidence from loose objects and checks that each is the
// object its name says.
func TestVerifyStreamsEvidence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, blob, size := evidenceLedger(t)
	rep, err := l.Verify(ctx, VerifyOptions{})
	// The evidence and the SM-5 scope Init records.
	if err != nil || !rep.OK() || rep.EvidenceFiles != 2 || rep.EvidenceBytes <= size {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	// The loose object replaced by another of the same size: git's hash
	// of the content no longer matches the name.
	replaceLoose(t, l, blob, plumbing.BlobObject, bytes.Repeat([]byte("x"), int(size)))
	rep, err = l.Verify(ctx, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) == 0 || !strings.Contains(strings.Join(rep.Problems, "\n"), "hashes to") {
		t.Fatalf("a changed evidence object verified: %q", rep.Problems)
	}
}

// replaceLoose writes content as loose object h's file, in place of what
// it held: an object whose name no longer says its content.
func replaceLoose(t *testing.T, l *Ledger, h plumbing.Hash, typ plumbing.ObjectType, content []byte) {
	t.Helper()
	var obj bytes.Buffer
	zw := zlib.NewWriter(&obj)
	fmt.Fprintf(zw, "%s %d\x00", typ, len(content))
	zw.Write(content)
	zw.Close()
	p := loosePath(l, h)
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, obj.Bytes(), 0o444); err != nil {
		t.Fatal(err)
	}
}

// Verify checks the git hash of the trees and commits it reads, not only
// of the blobs: a tree or commit object rewritten in place, under its old
// name, is a problem.
func TestVerifyChecksObjectHashes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		object func(t *testing.T, l *Ledger, head *object.Commit) (plumbing.Hash, plumbing.ObjectType, []byte)
	}{
		{"the head's tree without its records", func(t *testing.T, l *Ledger, head *object.Commit) (plumbing.Hash, plumbing.ObjectType, []byte) {
			data, err := l.readTree(head.TreeHash)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := parseTree(data)
			if err != nil {
				t.Fatal(err)
			}
			var out []byte
			for i := range tr.len() {
				if string(tr.name(i)) != "records" {
					out = append(out, tr.entry(i)...)
				}
			}
			return head.TreeHash, plumbing.TreeObject, out
		}},
		{"the head commit on another tree", func(t *testing.T, l *Ledger, head *object.Commit) (plumbing.Hash, plumbing.ObjectType, []byte) {
			parent, err := l.commit(head.ParentHashes[0])
			if err != nil {
				t.Fatal(err)
			}
			forged := *head
			forged.TreeHash = parent.TreeHash
			obj := &plumbing.MemoryObject{}
			if err := forged.Encode(obj); err != nil {
				t.Fatal(err)
			}
			rd, _ := obj.Reader()
			data, err := io.ReadAll(rd)
			if err != nil {
				t.Fatal(err)
			}
			return head.Hash, plumbing.CommitObject, data
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, _, _ := evidenceLedger(t)
			h, _ := l.Head()
			head, err := l.commit(h)
			if err != nil {
				t.Fatal(err)
			}
			obj, typ, content := tc.object(t, l, head)
			replaceLoose(t, l, obj, typ, content)
			rep, err := l.Verify(context.Background(), VerifyOptions{})
			if err == nil && !rep.OK() && strings.Contains(strings.Join(rep.Problems, "\n"), "hashes to") {
				return
			}
			t.Fatalf("verify: %v, problems %q; want one saying what %s hashes to", err, rep.Problems, obj)
		})
	}
}

// Evidence blobs are hashed by several goroutines; their problems are
// listed where a verification one blob at a time lists them, among the
// others, in the history's order, on every run.
func TestVerifyEvidenceProblemsInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newTestLedger(t)
	w := &Writer{Ledger: l, Now: clock()}
	var blobs []plumbing.Hash
	var want [][]string
	add := func(from, to int) {
		for i := from; i < to; i++ {
			recs, err := w.Append(ctx, []Entry{{Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SVV-1"}, Kind: "test-report"},
				Blobs: []Blob{{Name: "report.json", Data: fmt.Appendf(nil, `{"run":%d}`, i)}}}})
			if err != nil {
				t.Fatal(err)
			}
			d := recs[0].Evidence[0].Digest
			blobs = append(blobs, l.blobs[d])
			if i%3 != 1 {
				want = append(want, []string{EvidencePath(d), "hashes to"}, []string{"record " + recs[0].ID, "is 16 bytes, the record says 9"})
			}
		}
	}
	add(0, 3)
	commitFile(t, l, "notes.txt", "hello")
	want = append(want, []string{"unexpected file notes.txt"})
	add(3, 6)
	for _, i := range []int{0, 2, 3, 5} {
		replaceLoose(t, l, blobs[i], plumbing.BlobObject, []byte(`{"run":"forged"}`))
	}
	for range 5 {
		rep, err := l.Verify(ctx, VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ok := len(rep.Problems) == len(want)
		for i := 0; ok && i < len(want); i++ {
			ok = containsAll(rep.Problems[i], want[i])
		}
		if !ok {
			t.Fatalf("problems:\n%s\nwant, in this order, lines holding %q", strings.Join(rep.Problems, "\n"), want)
		}
	}
}

// Evidence is content addressed: the same SBOM recorded by two records,
// in one commit or two, is one blob, hashed once.
func TestVerifyHashesSharedEvidenceOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newTestLedger(t)
	sbom := writeFile(t, t.TempDir(), "app.cdx.json", `{"bomFormat":"CycloneDX"}`)
	w := &Writer{Ledger: l, Now: clock()}
	entry := func(summary string) Entry {
		return Entry{Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SM-9"}, Kind: "sbom", Summary: summary},
			Files: []string{sbom}}
	}
	if _, err := w.Append(ctx, []Entry{entry("a"), entry("b")}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Append(ctx, []Entry{entry("c")}); err != nil {
		t.Fatal(err)
	}
	rep, err := l.Verify(ctx, VerifyOptions{})
	// Init's scope record and its evidence, three records, two blobs.
	if err != nil || !rep.OK() || rep.Records != 4 || rep.EvidenceFiles != 2 {
		t.Fatalf("verify: %+v, %v; want 4 records, 2 evidence files hashed", rep, err)
	}
}

// Packed evidence (after git gc) is read through go-git.
func TestVerifyPackedEvidence(t *testing.T) {
	t.Parallel()
	l, blob, _ := evidenceLedger(t)
	r, err := git.PlainOpen(l.loc.Repo)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RepackObjects(&git.RepackConfig{}); err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(l.GitDir(), "objects", "[0-9a-f][0-9a-f]"))
	for _, d := range dirs {
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(loosePath(l, blob)); !os.IsNotExist(err) {
		t.Fatalf("the evidence is still loose: %v", err)
	}
	l, err = Open(l.loc, l.catalog)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := l.Verify(context.Background(), VerifyOptions{})
	if err != nil || !rep.OK() || rep.EvidenceFiles != 2 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
}
