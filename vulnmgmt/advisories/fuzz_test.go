package advisories

import (
	"archive/zip"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// storedZip builds a zip whose entries are stored (not compressed) with
// no checksum: the fuzzer's changes to a record's bytes then reach the
// parser instead of failing the zip's checksum.
func storedZip(t testing.TB, files []zipFile) []byte {
	var raws []rawEntry
	for _, f := range files {
		raws = append(raws, rawEntry{name: f.name, method: zip.Store, data: f.data, size: uint64(len(f.data))})
	}
	return rawZip(t, nil, raws...)
}

// fuzzSeeds are zips of the real records, compressed and stored, and a few
// of the hostile ones.
func fuzzSeeds(f *testing.F) {
	for _, dirs := range [][]string{{"psf", "rustsec"}, {"pypa"}, {"go-vulndb"}, {"osv-scanner"}} {
		f.Add(zipBytes(f, recordsOf(f, dirs...)))
		f.Add(storedZip(f, recordsOf(f, dirs...)))
	}
	real := recordsOf(f, "ghsa")[:2]
	f.Add(storedZip(f, append(slices.Clone(real), zipFile{"../x.json", real[0].data}, zipFile{"a/", nil}, zipFile{"EMPTY.json", nil})))
	f.Add(storedZip(f, []zipFile{{"X-1.yaml", []byte("id: X-1\nmodified: '2024-01-01T00:00:00Z'\naffected:\n- package: {name: a, ecosystem: PyPI}\n")}}))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
}

// FuzzImportZip imports arbitrary bytes as a zip export. It must not
// panic or hang; an error is one line naming the file; a store it makes
// opens, and finds each record by its id and by each package it names.
func FuzzImportZip(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		tmp := t.TempDir()
		src := writeFile(t, tmp, "all.zip", data)
		dir := filepath.Join(tmp, "store")
		// The fuzzer reports a hang only as a worker that stopped: make it
		// a crash with a stack.
		wd := time.AfterFunc(10*time.Second, func() { panic("the import hangs") })
		info, err := Import(context.Background(), dir, []Source{{Path: src}}, ImportOptions{Now: testNow})
		wd.Stop()
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || !strings.Contains(msg, src) {
				t.Fatalf("error is not one line naming the file: %q", msg)
			}
			return
		}
		checkStore(t, dir, info)
	})
}

// FuzzImportRecord imports arbitrary bytes as the one record of an
// export: the parser, the checks of what the store's keys can hold, and
// the store itself.
func FuzzImportRecord(f *testing.F) {
	for _, r := range recordsOf(f, currentDirs...) {
		f.Add(r.data)
	}
	f.Add([]byte(`{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "aliases": ["A"], "affected": [{"package": {"ecosystem": "Debian:12", "name": "a"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tmp := t.TempDir()
		src := writeFile(t, tmp, "all.zip", storedZip(t, []zipFile{{"X.json", data}}))
		dir := filepath.Join(tmp, "store")
		wd := time.AfterFunc(10*time.Second, func() { panic("the import hangs") })
		info, err := Import(context.Background(), dir, []Source{{Path: src}}, ImportOptions{Now: testNow})
		wd.Stop()
		if err != nil {
			t.Fatalf("a record failed the import: %v", err)
		}
		if info.Records+info.SkippedTotal != 1 {
			t.Fatalf("%d records and %d skipped for one entry", info.Records, info.SkippedTotal)
		}
		checkStore(t, dir, info)
	})
}

// checkStore opens a store an import made and reads every record back by
// id, by alias and through the package index.
func checkStore(t *testing.T, dir string, info *Info) {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("the store an import made does not open: %v", err)
	}
	defer s.Close()
	if s.Info().Records != info.Records || s.Info().Digest != info.Digest {
		t.Fatalf("Open: %d records %s; Import: %d %s", s.Info().Records, s.Info().Digest, info.Records, info.Digest)
	}
	ids := storedIDs(t, s)
	if len(ids) != info.Records {
		t.Fatalf("%d ids stored, Info says %d", len(ids), info.Records)
	}
	for _, id := range ids {
		v, err := s.Record(id)
		if err != nil || v.GetId() != id {
			t.Fatalf("Record(%q) = %q, %v", id, v.GetId(), err)
		}
		for _, alias := range v.GetAliases() {
			if alias == "" {
				continue // names nothing, not indexed
			}
			if got, err := s.Record(alias); err != nil || got == nil {
				t.Fatalf("Record(alias %q) = %v, %v", alias, got, err)
			}
		}
		for _, a := range v.GetAffected() {
			p := a.GetPackage()
			if p.GetName() == "" || p.GetEcosystem() == "" {
				continue
			}
			found, err := s.Lookup(p.GetEcosystem(), p.GetName())
			if err != nil || !slices.Contains(idsOf(found), id) {
				t.Fatalf("Lookup(%q, %q) = %v, %v; want %s among them", p.GetEcosystem(), p.GetName(), idsOf(found), err, id)
			}
		}
	}
}
