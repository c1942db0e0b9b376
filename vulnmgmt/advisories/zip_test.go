package advisories

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sdlkit/sdlkit/vulnmgmt/osv"
)

// rawEntry is a zip entry written with CreateRaw: its header says what
// the test wants, whatever the data.
type rawEntry struct {
	name   string
	method uint16
	data   []byte // as stored (compressed when method is Deflate)
	crc    uint32
	size   uint64 // the uncompressed size the header claims
}

// rawZip builds a zip of files (written normally) and raw entries.
func rawZip(t testing.TB, files []zipFile, raws ...rawEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range raws {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: r.name, Method: r.method, CRC32: r.crc,
			CompressedSize64: uint64(len(r.data)), UncompressedSize64: r.size})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(r.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// deflateBomb returns a DEFLATE stream that inflates to n MiB of spaces,
// built without compressing them: the blocks of the second MiB refer only
// to the 32 KiB before them, all spaces, so they can be repeated.
func deflateBomb(t testing.TB, n int) (data []byte, crc uint32) {
	t.Helper()
	mib := bytes.Repeat([]byte{' '}, 1<<20)
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(mib)
	w.Flush()
	first := slices.Clone(buf.Bytes())
	buf.Reset()
	w.Write(mib)
	w.Flush()
	next := slices.Clone(buf.Bytes())
	buf.Reset()
	w.Close()
	last := buf.Bytes()
	out := slices.Concat(first, bytes.Repeat(next, n-1), last)
	for range n {
		crc = crc32.Update(crc, crc32.IEEETable, mib)
	}
	return out, crc
}

// centralDirectory returns the offset of the zip's central directory.
func centralDirectory(t testing.TB, z []byte) int {
	t.Helper()
	eocd := bytes.LastIndex(z, []byte("PK\x05\x06"))
	if eocd < 0 {
		t.Fatal("no end of central directory")
	}
	return int(binary.LittleEndian.Uint32(z[eocd+16:]))
}

// patch returns a copy of z with b written at off.
func patch(z []byte, off int, b ...byte) []byte {
	z = slices.Clone(z)
	copy(z[off:], b)
	return z
}

// record writes a record for the test: the real GHSA-wf5p-g6vw-rhxx with
// its id replaced and edit applied to its JSON object.
func record(t testing.TB, id string, edit func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readAll(t, filepath.Join("testdata", "ghsa", "GHSA-wf5p-g6vw-rhxx.json")), &m); err != nil {
		t.Fatal(err)
	}
	m["id"] = id
	if edit != nil {
		edit(m)
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// setPackageName sets the name of the record's first affected package.
func setPackageName(name string) func(m map[string]any) {
	return func(m map[string]any) {
		m["affected"].([]any)[0].(map[string]any)["package"].(map[string]any)["name"] = name
	}
}

// TestHostileZip imports zips that are broken or built to hurt. A zip
// that cannot be read fails the import with one line naming the file (and
// the entry), and no store is made; a bad entry is skipped, counted and
// listed with its reason, and the rest is imported.
func TestHostileZip(t *testing.T) {
	t.Parallel()
	good := recordsOf(t, "psf", "rustsec") // 3 records
	goodZip := zipBytes(t, good)
	cd := centralDirectory(t, goodZip)
	real := readAll(t, filepath.Join("testdata", "ghsa", "GHSA-jfh8-c2jp-5v3q.json"))
	bomb, bombCRC := deflateBomb(t, 64)
	invalidUTF8 := bytes.Replace(real, []byte(`"summary": "`), []byte("\"summary\": \"\xff\xfe"), 1)
	if bytes.Equal(invalidUTF8, real) {
		t.Fatal("no summary to spoil")
	}
	deep := `{"id": "DEEP-1", "modified": "2024-01-01T00:00:00Z", "database_specific": {"x": ` +
		strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}`
	laughs := "id: LAUGH-1\nmodified: '2024-01-01T00:00:00Z'\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 'b', 'a'; i <= 'j'; prev, i = i, i+1 {
		laughs += string(i) + ": &" + string(i) + " [" + strings.Repeat("*"+string(prev)+", ", 9) + "*" + string(prev) + "]\n"
	}
	with := func(extra ...zipFile) []byte { return zipBytes(t, append(slices.Clone(good), extra...)) }

	type skip struct{ entry, reason string }
	tests := []struct {
		name string
		zip  []byte
		// wantErr: the import fails, the error names the file and these.
		wantErr []string
		// otherwise: records stored and entries skipped.
		records int
		skipped []skip
	}{
		{name: "not a zip", zip: []byte("<html>503 Service Unavailable</html>"), wantErr: []string{"not an OSV zip export"}},
		{name: "empty file", zip: nil, wantErr: []string{"not an OSV zip export"}},
		{name: "truncated to half", zip: goodZip[:len(goodZip)/2], wantErr: []string{"not an OSV zip export"}},
		{name: "truncated by 10 bytes", zip: goodZip[:len(goodZip)-10], wantErr: []string{"not an OSV zip export"}},
		{name: "central directory signature broken", zip: patch(goodZip, cd, 'X'), wantErr: []string{"not an OSV zip export"}},
		{name: "central directory count lies", zip: patch(goodZip, bytes.LastIndex(goodZip, []byte("PK\x05\x06"))+8, 0xff, 0x00, 0xff, 0x00), wantErr: []string{"not an OSV zip export"}},
		{name: "deflate data corrupt", zip: patch(goodZip, 30+len(good[0].name)+20, bytes.Repeat([]byte{0xff}, 40)...), wantErr: []string{good[0].name}},
		{name: "checksum wrong", zip: patch(goodZip, cd+16, 1, 2, 3, 4), wantErr: []string{good[0].name, "checksum"}},
		{name: "local header offset wrong", zip: patch(goodZip, cd+42, 7), wantErr: []string{good[0].name}},
		{name: "unknown compression method", zip: rawZip(t, good, rawEntry{name: "X-1.json", method: 99, data: real, crc: crc32.ChecksumIEEE(real), size: uint64(len(real))}), wantErr: []string{"X-1.json", "algorithm"}},
		{name: "bomb whose header lies", zip: rawZip(t, good, rawEntry{name: "BOMB-1.json", method: zip.Deflate, data: bomb, size: 1000}), wantErr: []string{"BOMB-1.json"}},
		{name: "bomb that claims the limit", zip: rawZip(t, good, rawEntry{name: "BOMB-1.json", method: zip.Deflate, data: bomb, size: osv.MaxRecordSize}), wantErr: []string{"BOMB-1.json"}},

		// A name no export has: the archive was made to attack whatever
		// unpacks it, and none of it is imported.
		{name: "entry climbs out", zip: with(zipFile{"../x.json", real}), wantErr: []string{"../x.json", "climbs out"}},
		{name: "entry deep climb", zip: with(zipFile{"a/../../x.json", real}), wantErr: []string{"a/../../x.json", "climbs out"}},
		{name: "absolute entry", zip: with(zipFile{"/etc/x.json", real}), wantErr: []string{"/etc/x.json", "absolute"}},
		{name: "windows path", zip: with(zipFile{`C:\x\GHSA.json`, real}), wantErr: []string{`C:\\x\\GHSA.json`, "Windows"}},
		{name: "header claims 10 GiB", zip: rawZip(t, good, rawEntry{name: "HUGE-1.json", method: zip.Deflate, data: bomb, size: 10 << 30}), records: 3, skipped: []skip{{"HUGE-1.json", "10737418240 bytes uncompressed, more than the 4 MiB limit"}}},
		{name: "honest bomb past the limit", zip: rawZip(t, good, rawEntry{name: "BOMB-1.json", method: zip.Deflate, data: bomb, crc: bombCRC, size: 64 << 20}), records: 3, skipped: []skip{{"BOMB-1.json", "more than the 4 MiB limit"}}},
		{name: "stored entry past the limit", zip: with(zipFile{"BIG-1.json", bytes.Repeat([]byte(" "), osv.MaxRecordSize+1)}), records: 3, skipped: []skip{{"BIG-1.json", "limit"}}},
		{name: "duplicate names", zip: with(good[0], good[1]), records: 3},
		{name: "directories", zip: zipBytes(t, []zipFile{{"a/", nil}, {"a/b.json/", nil}, {"a/b/" + good[0].name, good[0].data}, good[1], good[2]}), records: 3},
		{name: "zero-byte entry", zip: with(zipFile{"EMPTY-1.json", nil}), records: 3, skipped: []skip{{"EMPTY-1.json", "read advisory"}}},
		{name: "non-UTF-8 names", zip: with(zipFile{"\xff\xfe.json", real}, zipFile{"\xc0\xaf.json", []byte("{}")}), records: 4, skipped: []skip{{"\xc0\xaf.json", "no id"}}},
		{name: "other files ignored", zip: with(zipFile{"README.md", []byte("# hi")}, zipFile{"LICENSE", []byte("x")}, zipFile{"x.json.sig", []byte("x")}), records: 3},
		{name: "JSON, not OSV", zip: with(zipFile{"X-1.json", []byte(`{"hello": "world"}`)}), records: 3, skipped: []skip{{"X-1.json", "not a valid OSV record: no id"}}},
		{name: "JSON array", zip: with(zipFile{"X-1.json", []byte(`[{"id": "X-1"}]`)}), records: 3, skipped: []skip{{"X-1.json", "read advisory"}}},
		{name: "JSON with a wrong type", zip: with(zipFile{"X-1.json", []byte(`{"id": 1, "modified": "2024-01-01T00:00:00Z"}`)}), records: 3, skipped: []skip{{"X-1.json", "read advisory"}}},
		{name: "YAML, not OSV", zip: with(zipFile{"X-1.yaml", []byte("title: a list\nitems: [1, 2]\n")}), records: 3, skipped: []skip{{"X-1.yaml", "no id"}}},
		{name: "YAML, broken", zip: with(zipFile{"X-1.yaml", []byte("id: [unclosed\n  - x: y\n")}), records: 3, skipped: []skip{{"X-1.yaml", "yaml"}}},
		{name: "YAML alias bomb", zip: with(zipFile{"LAUGH-1.yaml", []byte(laughs)}), records: 3, skipped: []skip{{"LAUGH-1.yaml", "read advisory"}}},
		{name: "invalid UTF-8 in a record", zip: with(zipFile{"GHSA-jfh8-c2jp-5v3q.json", invalidUTF8}), records: 3, skipped: []skip{{"GHSA-jfh8-c2jp-5v3q.json", "UTF-8"}}},
		{name: "nested 20,000 deep", zip: with(zipFile{"DEEP-1.json", []byte(deep)}), records: 3, skipped: []skip{{"DEEP-1.json", "read advisory"}}},
		{name: "id is a path", zip: with(zipFile{"x.json", record(t, "../../etc/passwd", nil)}), records: 3, skipped: []skip{{"x.json", "path separator"}}},
		{name: "id with a control character", zip: with(zipFile{"x.json", record(t, "GHSA-\x1b[2J", nil)}), records: 3, skipped: []skip{{"x.json", "control character"}}},
		{name: "id too long", zip: with(zipFile{"x.json", record(t, "GHSA-"+strings.Repeat("x", 300), nil)}), records: 3, skipped: []skip{{"x.json", "longer than"}}},
		{name: "package name with NUL", zip: with(zipFile{"x.json", record(t, "TEST-1", setPackageName("a\x00b"))}), records: 3, skipped: []skip{{"x.json", "NUL"}}},
		{name: "alias with NUL", zip: with(zipFile{"x.json", record(t, "TEST-1", func(m map[string]any) { m["aliases"] = []any{"CVE-1\x00TEST-2"} })}), records: 3, skipped: []skip{{"x.json", "NUL"}}},
		{name: "package name past the key limit", zip: with(zipFile{"x.json", record(t, "TEST-1", setPackageName(strings.Repeat("a", 40000)))}), records: 3, skipped: []skip{{"x.json", "limit"}}},
		{name: "alias past the key limit", zip: with(zipFile{"x.json", record(t, "TEST-1", func(m map[string]any) { m["aliases"] = []any{strings.Repeat("C", 40000)} })}), records: 3, skipped: []skip{{"x.json", "limit"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := writeFile(t, t.TempDir(), "all.zip", tt.zip)
			dir := filepath.Join(t.TempDir(), "store")
			info, err := Import(context.Background(), dir, []Source{{Path: src}}, ImportOptions{Now: testNow})
			if tt.wantErr != nil {
				oneLine(t, err, append([]string{src}, tt.wantErr...)...)
				if _, err := Open(dir); !errors.Is(err, ErrNoStore) {
					t.Errorf("a failed first import left a store: Open = %v", err)
				}
				if _, err := os.Stat(Path(dir)); !os.IsNotExist(err) {
					t.Errorf("a failed first import left a store file: %v", err)
				}
				if l := leftovers(t, dir); len(l) != 0 {
					t.Errorf("left behind: %v", l)
				}
				return
			}
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if info.Records != tt.records {
				t.Errorf("%d records, want %d", info.Records, tt.records)
			}
			var got []skip
			for _, s := range info.Skipped {
				entry, ok := strings.CutPrefix(s.Entry, src+":")
				if !ok {
					t.Errorf("skipped entry %q does not name the file", s.Entry)
				}
				if strings.ContainsAny(s.Reason, "\n\r") {
					t.Errorf("reason is not one line: %q", s.Reason)
				}
				got = append(got, skip{entry, s.Reason})
			}
			if len(got) != len(tt.skipped) || info.SkippedTotal != len(tt.skipped) || info.Sources[0].Skipped != len(tt.skipped) {
				t.Fatalf("skipped %v (total %d, source %d), want %v", got, info.SkippedTotal, info.Sources[0].Skipped, tt.skipped)
			}
			for i, want := range tt.skipped {
				if got[i].entry != want.entry || !strings.Contains(got[i].reason, want.reason) {
					t.Errorf("skipped %q: %q; want %q: …%s…", got[i].entry, got[i].reason, want.entry, want.reason)
				}
			}
			// What the import wrote opens, and says the same (entry names
			// that are not UTF-8 come back with U+FFFD: JSON).
			s := openStore(t, dir)
			if s.Info().Records != info.Records || s.Info().SkippedTotal != info.SkippedTotal {
				t.Errorf("Open: %d records, %d skipped; Import said %d, %d", s.Info().Records, s.Info().SkippedTotal, info.Records, info.SkippedTotal)
			}
		})
	}
}

// TestDuplicateEntriesDisagree imports a zip that holds two versions of
// RUSTSEC-2022-0013 under the same name, with the same modified time, in
// both orders: the same version is kept.
func TestDuplicateEntriesDisagree(t *testing.T) {
	t.Parallel()
	a := zipFile{"RUSTSEC-2022-0013.json", readAll(t, filepath.Join("testdata", "rustsec", "RUSTSEC-2022-0013.json"))}
	b := zipFile{"RUSTSEC-2022-0013.json", readAll(t, filepath.Join("testdata", "osv-scanner", "RUSTSEC-2022-0013.json"))}
	tmp := t.TempDir()
	var kept []string
	for i, files := range [][]zipFile{{a, b}, {b, a}} {
		dir := t.TempDir()
		info := mustImport(t, dir, Source{Path: writeFile(t, tmp, string(rune('a'+i))+".zip", zipBytes(t, files))})
		if s := info.Sources[0]; s.Read != 2 || s.Added != 1 || s.Replaced+s.Unchanged != 1 {
			t.Errorf("%+v: want 2 read, 1 added, 1 replaced or unchanged", s)
		}
		kept = append(kept, string(storedJSON(t, openStore(t, dir), "RUSTSEC-2022-0013")))
	}
	if kept[0] != kept[1] {
		t.Error("which version is kept depends on the order of the entries")
	}
}

// TestBombMemory imports a zip whose entry claims the 4 MiB a record may
// have and inflates to 1 GiB: the import reads a little past 4 MiB, not
// the gigabyte, and stays fast. Not parallel: it measures allocation.
func TestBombMemory(t *testing.T) {
	bomb, _ := deflateBomb(t, 1024)
	src := writeFile(t, t.TempDir(), "bomb.zip", rawZip(t, nil, rawEntry{name: "BOMB-1.json", method: zip.Deflate, data: bomb, size: osv.MaxRecordSize}))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Import(context.Background(), t.TempDir(), []Source{{Path: src}}, ImportOptions{})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	oneLine(t, err, src, "BOMB-1.json")
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MiB for a bomb: it was inflated", alloc>>20)
	}
	if elapsed > 5*time.Second {
		t.Errorf("took %v", elapsed)
	}
}

// TestBatchMemory imports 40 entries of almost 4 MiB each (160 MiB, from a
// zip of a few hundred KiB): the import holds a bounded part of them at a
// time, not a whole batch of 512. Not parallel: it measures the heap.
func TestBatchMemory(t *testing.T) {
	big := append(bytes.Repeat([]byte(" "), osv.MaxRecordSize-100), []byte(`{"id": "X"}`)...)
	var files []zipFile
	for i := range 40 {
		files = append(files, zipFile{name: fmt.Sprintf("BIG-%02d.json", i), data: big})
	}
	src := writeFile(t, t.TempDir(), "big.zip", zipBytes(t, files))
	old := debug.SetGCPercent(10)
	defer debug.SetGCPercent(old)
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
			}
		}
	}()
	info, err := Import(context.Background(), t.TempDir(), []Source{{Path: src}}, ImportOptions{})
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	if info.SkippedTotal != 40 {
		t.Errorf("%d skipped, want 40", info.SkippedTotal)
	}
	if grew := (peak.Load() - min(peak.Load(), base.HeapAlloc)) >> 20; grew > 120 {
		t.Errorf("heap grew by %d MiB importing 160 MiB of entries: they were held at once", grew)
	}
}

// TestZipEntryNames tells entry names that are paths out of the archive
// and names of advisory files.
func TestZipEntryNames(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"GHSA-1.json", true}, {"a/b/GHSA-1.json", true}, {"..json", true}, {"a..b.json", true},
		{"../GHSA-1.json", false}, {"a/../GHSA-1.json", false}, {"/GHSA-1.json", false}, {`a\GHSA-1.json`, false}, {"..", false},
	} {
		if err := checkEntryName(tt.name); (err == nil) != tt.ok {
			t.Errorf("checkEntryName(%q) = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
	if diff := cmp.Diff([]bool{true, true, true, false, false}, []bool{isAdvisoryName("a.json"), isAdvisoryName("A.YAML"), isAdvisoryName("a.yml"), isAdvisoryName("a.json.gz"), isAdvisoryName("json")}); diff != "" {
		t.Errorf("isAdvisoryName (-want +got):\n%s", diff)
	}
}

// TestSourceNotReadable imports a missing file and a device.
func TestSourceNotReadable(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing.zip")
	_, err := Import(context.Background(), t.TempDir(), []Source{{Path: missing}}, ImportOptions{})
	oneLine(t, err, missing, "no such file")
	_, err = Import(context.Background(), t.TempDir(), []Source{{Path: os.DevNull}}, ImportOptions{})
	oneLine(t, err, os.DevNull, "not a regular file")
}

// TestSkipReasonsBounded imports an export of records whose bad token is
// 256 KiB (a few hundred bytes compressed): the store keeps every reason, so each
// must be short, or 1000 of them would make gigabytes of Info.
func TestSkipReasonsBounded(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("1", 256<<10)
	var files []zipFile
	for i, doc := range []string{`{"id": ` + long + `}`, `{"id": "X", "modified": "` + long + `"}`, "id: X\nmodified: " + long + "\n"} {
		for j := range 10 {
			files = append(files, zipFile{name: string(rune('a'+i)) + string(rune('a'+j)) + ".json", data: []byte(doc)})
		}
	}
	src := writeFile(t, t.TempDir(), "long.zip", zipBytes(t, files))
	info := mustImport(t, t.TempDir(), Source{Path: src})
	if info.SkippedTotal != 30 {
		t.Fatalf("%d skipped, want 30", info.SkippedTotal)
	}
	for _, s := range info.Skipped {
		if len(s.Reason) > len(s.Entry)+300 {
			t.Errorf("%s: reason of %d bytes", s.Entry, len(s.Reason))
		}
	}
}
