package ledger

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
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

// Evidence, and every object the ledger writes, is written as loose
// objects of deflate's stored blocks, which git reads like any object: the
// file is no smaller than its content
// (JSON would shrink 3-4 times at git's default level), git cat-file gives
// the content back, fsck --strict is clean, and evidence given in memory
// (Entry.Blobs) is stored the same way.
func TestEvidenceStoredUncompressed(t *testing.T) {
	t.Parallel()
	l, blob, size := evidenceLedger(t)
	w := &Writer{Ledger: l, Now: clock()}
	data := bytes.Repeat([]byte(`{"component":"x"}`), 1<<16)
	recs, err := w.Append(context.Background(), []Entry{{Record: Record{Actor: "ci", Version: "1.0.0",
		Requirements: []string{"SM-1"}, Kind: "document"}, Blobs: []Blob{{Name: "doc.json", Data: data}}}})
	if err != nil {
		t.Fatal(err)
	}
	mem := l.blobs[recs[0].Evidence[0].Digest]
	for _, c := range []struct {
		h    plumbing.Hash
		size int64
	}{{blob, size}, {mem, int64(len(data))}} {
		fi, err := os.Stat(loosePath(l, c.h))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() < c.size || fi.Mode().Perm() != 0o444 {
			t.Errorf("object %s: %d bytes, mode %v, for %d bytes of content: compressed or writable", c.h, fi.Size(), fi.Mode(), c.size)
		}
		if got := runGit(t, l.GitDir(), nil, "cat-file", "-s", c.h.String()); strings.TrimSpace(got) != fmt.Sprint(c.size) {
			t.Errorf("git cat-file -s %s: %q, want %d", c.h, got, c.size)
		}
	}
	// The ledger's own objects too: the head commit, its tree, the record.
	head, err := l.Head()
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.commit(head)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.Tree()
	if err == nil {
		var e *object.TreeEntry
		if e, err = rec.FindEntry(RecordPath(recs[0].ID)); err == nil {
			for _, h := range []plumbing.Hash{head, c.TreeHash, e.Hash} {
				size, _ := strconv.ParseInt(runGit(t, l.GitDir(), nil, "cat-file", "-s", h.String()), 10, 64)
				if fi, err := os.Stat(loosePath(l, h)); err != nil || fi.Size() < size {
					t.Errorf("object %s of %d bytes: %v, %v; want a loose file no smaller", h, size, fi, err)
				}
			}
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := runGit(t, l.GitDir(), nil, "cat-file", "blob", mem.String()); got != string(data) {
		t.Errorf("git reads another content for %s", mem)
	}
	runGit(t, l.GitDir(), nil, "fsck", "--strict", "--no-dangling")
	tmps, _ := filepath.Glob(filepath.Join(l.GitDir(), "objects", "tmp_obj_*"))
	if len(tmps) != 0 {
		t.Errorf("temporary files left: %q", tmps)
	}
}

// lastRecordBlob returns the blob of the last record status lists at the
// head.
func lastRecordBlob(t *testing.T, l *Ledger) plumbing.Hash {
	t.Helper()
	sums, _, err := l.Summaries(context.Background())
	if err != nil || len(sums) == 0 {
		t.Fatalf("records: %v, %v", sums, err)
	}
	tr, err := l.headTree()
	if err != nil {
		t.Fatal(err)
	}
	e, err := tr.FindEntry(RecordPath(sums[len(sums)-1].ID))
	if err != nil {
		t.Fatal(err)
	}
	return e.Hash
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

// forgePacked removes object h and puts content in its place in a pack of
// its own, with an index that names it h, as an attacker rewriting a
// fetched or gc'd ledger would: go-git reads a pack as its index says.
func forgePacked(t *testing.T, l *Ledger, h plumbing.Hash, typ plumbing.ObjectType, content []byte) {
	t.Helper()
	forgePack(t, l, h, packEntry{typ: typ, content: content})
}

// packEntry is an object of a forged pack: its header's type, what comes
// between the header and the zlib stream (an offset delta's distance back,
// a REF delta's base), and the content that stream holds, whose length the
// header gives.
type packEntry struct {
	typ     plumbing.ObjectType
	between []byte
	content []byte
}

// forgePack writes a pack of one object, e, indexed as h, and removes the
// loose object h.
func forgePack(t *testing.T, l *Ledger, h plumbing.Hash, e packEntry) {
	t.Helper()
	if err := writePack(filepath.Join(l.GitDir(), "objects", "pack"), h, e); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(loosePath(l, h)); err != nil {
		t.Fatal(err)
	}
}

// writePack writes to dir a pack of one object, e, and its index, which
// names the object h.
func writePack(dir string, h plumbing.Hash, e packEntry) error {
	var pack bytes.Buffer
	pack.WriteString("PACK")
	binary.Write(&pack, binary.BigEndian, [2]uint32{2, 1})
	// The object's header: its type and size, 4 bits then 7 a byte.
	start := pack.Len()
	size := len(e.content)
	b := byte(e.typ&7)<<4 | byte(size&0x0f)
	for size >>= 4; size > 0; size >>= 7 {
		pack.WriteByte(b | 0x80)
		b = byte(size & 0x7f)
	}
	pack.WriteByte(b)
	pack.Write(e.between)
	zw := zlib.NewWriter(&pack)
	zw.Write(e.content)
	zw.Close()
	crc := crc32.ChecksumIEEE(pack.Bytes()[start:])
	sum := sha1.Sum(pack.Bytes())
	pack.Write(sum[:])
	var packHash plumbing.Hash
	copy(packHash[:], sum[:])

	iw := new(idxfile.Writer)
	iw.OnHeader(1)
	iw.OnInflatedObjectHeader(e.typ, int64(len(e.content)), int64(start))
	iw.OnInflatedObjectContent(h, int64(start), crc, nil)
	iw.OnFooter(packHash)
	idx, err := iw.Index()
	if err != nil {
		return err
	}
	var idxData bytes.Buffer
	if _, err := idxfile.NewEncoder(&idxData).Encode(idx); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	name := filepath.Join(dir, "pack-"+packHash.String())
	if err := os.WriteFile(name+".pack", pack.Bytes(), 0o444); err != nil {
		return err
	}
	return os.WriteFile(name+".idx", idxData.Bytes(), 0o444)
}

// Deltas in a pack an attacker wrote are problems, never a hang or a
// crash: a REF delta whose base is itself (resolved by the ledger, and,
// resolving to more than it resolves in memory, walked before go-git
// would follow it for ever), an offset delta pointing before the pack, a
// delta that does not fit its base.
func TestVerifyHostileDeltas(t *testing.T) {
	t.Parallel()
	// leb128 encodes a delta header's size.
	leb128 := func(n uint64) []byte {
		var out []byte
		for ; n >= 0x80; n >>= 7 {
			out = append(out, byte(n)|0x80)
		}
		return append(out, byte(n))
	}
	delta := func(base, target uint64, cmds ...byte) []byte {
		return append(append(leb128(base), leb128(target)...), cmds...)
	}
	for _, tc := range []struct {
		name string
		e    func(record plumbing.Hash) packEntry
		want string
	}{
		{"a REF delta on itself", func(h plumbing.Hash) packEntry {
			return packEntry{typ: plumbing.REFDeltaObject, between: h[:], content: delta(10, 10, 10, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9')}
		}, "more than 4096 deltas"},
		{"a REF delta on itself resolving to 1 TiB", func(h plumbing.Hash) packEntry {
			return packEntry{typ: plumbing.REFDeltaObject, between: h[:], content: delta(10, 1<<40, 0x90, 0x0a)}
		}, "more than 4096 deltas"},
		{"an offset delta before the pack", func(h plumbing.Hash) packEntry {
			return packEntry{typ: plumbing.OFSDeltaObject, between: []byte{0x7f}, content: delta(10, 10, 10, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9')}
		}, "outside the pack"},
		{"an offset delta with an endless distance", func(h plumbing.Hash) packEntry {
			return packEntry{typ: plumbing.OFSDeltaObject, between: bytes.Repeat([]byte{0xff}, 16), content: delta(1, 1, 1, 'x')}
		}, "too large"},
		{"a REF delta on a blob not in a pack", func(plumbing.Hash) packEntry {
			return packEntry{typ: plumbing.REFDeltaObject, between: nil, content: nil}
		}, "its base"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, blob, _ := evidenceLedger(t)
			rec := lastRecordBlob(t, l)
			e := tc.e(rec)
			if e.content == nil {
				// The evidence blob as the base: loose, where a stored
				// pack's bases never are.
				e = packEntry{typ: plumbing.REFDeltaObject, between: blob[:], content: delta(10, 4, 4, 'a', 'b', 'c', 'd')}
			}
			forgePack(t, l, rec, e)
			done := make(chan string, 1)
			go func() {
				rep, err := l.Verify(context.Background(), VerifyOptions{})
				done <- fmt.Sprint(err, rep.Problems)
			}()
			select {
			case got := <-done:
				if !strings.Contains(got, tc.want) || !strings.Contains(got, rec.String()[:7]) && !strings.Contains(got, "record") {
					t.Fatalf("verify: %s; want a problem saying %q", got, tc.want)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("verify still running after 60 s")
			}
		})
	}
}

// Verify checks the git hash of every object it reads: a tree, commit,
// record or evidence blob rewritten under its old name, loose or in a
// pack, is a problem.
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
		{"a record edited", func(t *testing.T, l *Ledger, head *object.Commit) (plumbing.Hash, plumbing.ObjectType, []byte) {
			rec := lastRecordBlob(t, l)
			data, err := l.readBlob(rec, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			return rec, plumbing.BlobObject, bytes.Replace(data, []byte(`"1.0.0"`), []byte(`"1.0.1"`), 1)
		}},
		{"an evidence blob", func(t *testing.T, l *Ledger, head *object.Commit) (plumbing.Hash, plumbing.ObjectType, []byte) {
			for _, h := range l.blobs {
				data, err := l.readBlob(h, 8<<20)
				if err != nil {
					t.Fatal(err)
				}
				data[0] ^= 1
				return h, plumbing.BlobObject, data
			}
			t.Fatal("no evidence stored")
			return plumbing.ZeroHash, 0, nil
		}},
	} {
		for _, forge := range []struct {
			name string
			put  func(*testing.T, *Ledger, plumbing.Hash, plumbing.ObjectType, []byte)
		}{{"loose", replaceLoose}, {"packed", forgePacked}} {
			t.Run(tc.name+", "+forge.name, func(t *testing.T) {
				t.Parallel()
				l, _, _ := evidenceLedger(t)
				h, _ := l.Head()
				head, err := l.commit(h)
				if err != nil {
					t.Fatal(err)
				}
				obj, typ, content := tc.object(t, l, head)
				forge.put(t, l, obj, typ, content)
				rep, err := l.Verify(context.Background(), VerifyOptions{})
				problems := strings.Join(rep.Problems, "\n")
				if err == nil && !rep.OK() && strings.Contains(problems, obj.String()) &&
					(strings.Contains(problems, "hashes to") || strings.Contains(problems, "SHA-256")) {
					return
				}
				t.Fatalf("verify: %v, problems %q; want one saying what %s hashes to", err, rep.Problems, obj)
			})
		}
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

// A ledger packed by git (git gc after many similar SBOMs: deltas between
// them; or a clone of it) verifies, with every object's hash checked, and
// takes new records.
func TestVerifyPackedLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, blob, _ := evidenceLedger(t)
	w := &Writer{Ledger: l, Now: clock()}
	sbom := bytes.Repeat([]byte(`{"type":"library","name":"component","version":"1.0.0"},`), 4000)
	for i := range 6 {
		data := append(fmt.Appendf(nil, `{"serial":%d,"components":[`, i), sbom...)
		if _, err := w.Append(ctx, []Entry{{Record: Record{Actor: "ci", Version: fmt.Sprintf("1.%d.0", i), Requirements: []string{"SM-12"}, Kind: "sbom"},
			Blobs: []Blob{{Name: "sbom.cdx.json", Data: data}}}}); err != nil {
			t.Fatal(err)
		}
	}
	runGit(t, l.GitDir(), nil, "gc", "--aggressive", "--prune=now", "--quiet")
	if _, err := os.Stat(loosePath(l, blob)); !os.IsNotExist(err) {
		t.Fatalf("the evidence is still loose: %v", err)
	}
	if deltas := runGit(t, l.GitDir(), nil, "count-objects", "-v"); !strings.Contains(deltas, "count: 0") {
		t.Fatalf("loose objects left after gc: %s", deltas)
	}
	idx, _ := filepath.Glob(filepath.Join(l.GitDir(), "objects", "pack", "*.idx"))
	if len(idx) != 1 || !strings.Contains(runGit(t, l.GitDir(), nil, "verify-pack", "-v", idx[0]), "chain length = 1") {
		t.Fatalf("git gc made no deltas in %q", idx)
	}
	clone := filepath.Join(t.TempDir(), "clone.git")
	runGit(t, l.GitDir(), nil, "clone", "--quiet", "--mirror", l.GitDir(), clone)
	for _, loc := range []Location{l.loc, {Repo: clone}} {
		pl, err := Open(loc, l.catalog)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := pl.Verify(ctx, VerifyOptions{})
		if err != nil || !rep.OK() || rep.Records != 8 || rep.EvidenceFiles != 8 {
			t.Fatalf("verify %s: %+v, %v; want 8 records, 8 evidence files", loc.Repo, rep, err)
		}
		// Deltas were resolved by the ledger, none left to go-git.
		if pl.deltas.order.Len() == 0 || pl.packs != nil {
			t.Fatalf("verify %s: %d objects resolved from deltas, go-git's pack reader used: %v", loc.Repo, pl.deltas.order.Len(), pl.packs != nil)
		}
	}
	pl, err := Open(l.loc, l.catalog)
	if err != nil {
		t.Fatal(err)
	}
	w = &Writer{Ledger: pl, Now: clock()}
	if _, err := w.Append(ctx, []Entry{{Record: Record{Actor: "ci", Version: "2.0.0", Requirements: []string{"SM-12"}, Kind: "sbom"},
		Blobs: []Blob{{Name: "sbom.cdx.json", Data: sbom}}}}); err != nil {
		t.Fatal(err)
	}
	rep, err := pl.Verify(ctx, VerifyOptions{})
	if err != nil || !rep.OK() || rep.Records != 9 {
		t.Fatalf("verify after an append onto the packed ledger: %+v, %v", rep, err)
	}
	runGit(t, l.GitDir(), nil, "fsck", "--strict", "--no-dangling")
}

// A packed object's header is read whatever the bytes: a type and a size,
// or an error for one cut short or too large; never a negative size.
func TestPackedHeader(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   []byte
		typ  plumbing.ObjectType
		size int64
		err  string
	}{
		{"a small blob", []byte{0x3a}, plumbing.BlobObject, 10, ""},
		{"a tree of 300 bytes", []byte{0xac, 0x12}, plumbing.TreeObject, 300, ""},
		{"an offset delta", []byte{0x65}, plumbing.OFSDeltaObject, 5, ""},
		{"the largest size", []byte{0x9f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, plumbing.CommitObject, 1<<60 - 1, ""},
		{"a size of 61 bits", []byte{0x9f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 0, 0, "too large"},
		{"endless continuation", bytes.Repeat([]byte{0xff}, 32), 0, 0, "too large"},
		{"cut short", []byte{0xb0}, 0, 0, "EOF"},
		{"empty", nil, 0, 0, "EOF"},
	} {
		typ, size, err := packedHeader(bytes.NewReader(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, %d, %v; want an error saying %q", tc.name, typ, size, err, tc.err)
			}
			continue
		}
		if err != nil || typ != tc.typ || size != tc.size {
			t.Errorf("%s: %v, %d, %v; want %v, %d", tc.name, typ, size, err, tc.typ, tc.size)
		}
	}
}

// Something other than a regular file where an object or a pack index
// should be (a FIFO, a symbolic link to /dev/zero) is a problem or an
// error naming it, at once: never a read that blocks or never ends.
func TestVerifyObjectNotAFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, l *Ledger, blob plumbing.Hash)
	}{
		{"a FIFO for the evidence", func(t *testing.T, l *Ledger, blob plumbing.Hash) {
			os.Remove(loosePath(l, blob))
			if err := syscall.Mkfifo(loosePath(l, blob), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"/dev/zero for the head's tree", func(t *testing.T, l *Ledger, _ plumbing.Hash) {
			h, _ := l.Head()
			c, err := l.commit(h)
			if err != nil {
				t.Fatal(err)
			}
			os.Remove(loosePath(l, c.TreeHash))
			if err := os.Symlink("/dev/zero", loosePath(l, c.TreeHash)); err != nil {
				t.Fatal(err)
			}
		}},
		{"a FIFO for a pack index", func(t *testing.T, l *Ledger, blob plumbing.Hash) {
			dir := filepath.Join(l.GitDir(), "objects", "pack")
			os.MkdirAll(dir, 0o755)
			if err := syscall.Mkfifo(filepath.Join(dir, "pack-"+strings.Repeat("0", 40)+".idx"), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Remove(loosePath(l, blob))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, blob, _ := evidenceLedger(t)
			tc.plant(t, l, blob)
			done := make(chan string, 1)
			go func() {
				rep, err := l.Verify(context.Background(), VerifyOptions{})
				done <- fmt.Sprint(err, rep.Problems)
			}()
			select {
			case got := <-done:
				if !strings.Contains(got, "not a regular file") && !strings.Contains(got, "FIFO") && !strings.Contains(got, "device") {
					t.Fatalf("verify: %s; want the file named as not regular", got)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("verify still reading after 20 s")
			}
		})
	}
}

// An evidence object whose header claims more than the ledger stores is a
// problem without being read.
func TestVerifyRefusesHugeEvidenceHeader(t *testing.T) {
	t.Parallel()
	l, blob, _ := evidenceLedger(t)
	var obj bytes.Buffer
	zw := zlib.NewWriter(&obj)
	fmt.Fprintf(zw, "blob %d\x00", int64(MaxEvidenceSize)+1)
	zw.Write(bytes.Repeat([]byte("x"), 1<<10))
	zw.Close()
	os.Remove(loosePath(l, blob))
	if err := os.WriteFile(loosePath(l, blob), obj.Bytes(), 0o444); err != nil {
		t.Fatal(err)
	}
	rep, err := l.Verify(context.Background(), VerifyOptions{})
	if err != nil || !strings.Contains(strings.Join(rep.Problems, "\n"), "more than evidence may be") {
		t.Fatalf("verify: %v, %q", err, rep.Problems)
	}
}
