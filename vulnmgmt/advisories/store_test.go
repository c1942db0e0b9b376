package advisories

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sdlkit/sdlkit/vulnmgmt/match"
	"github.com/sdlkit/sdlkit/vulnmgmt/osv"
)

// TestImportRealRecords imports the real records, one zip export per
// database, and checks what the store counts.
func TestImportRealRecords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	info := mustImport(t, dir, zipSources(t, currentDirs...)...)
	if info.Records != currentN || info.Withdrawn != 2 || info.SkippedTotal != 0 || len(info.Skipped) != 0 {
		t.Errorf("records %d, withdrawn %d, skipped %d %v; want %d, 2, 0", info.Records, info.Withdrawn, info.SkippedTotal, info.Skipped, currentN)
	}
	counts := map[string]int{}
	for eco, e := range info.Ecosystems {
		counts[eco] = e.Records
	}
	// PSF-2023-1 names no package (GIT ranges only): counted in Records,
	// in no ecosystem.
	want := map[string]int{"npm": 4, "Maven": 2, "NuGet": 1, "Packagist": 1, "Go": 3, "PyPI": 5, "crates.io": 2}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("ecosystem counts (-want +got):\n%s", diff)
	}
	if got := info.Ecosystems["PyPI"].Newest; !got.Equal(time.Date(2024, 9, 9, 7, 59, 30, 591275000, time.UTC)) {
		t.Errorf("PyPI newest = %v, want PYSEC-2024-71's modified", got)
	}
	if len(info.Sources) != len(currentDirs) {
		t.Fatalf("%d sources, want %d", len(info.Sources), len(currentDirs))
	}
	read := 0
	for _, s := range info.Sources {
		if s.Kind != "zip" || s.Added != s.Read || s.Replaced+s.Unchanged+s.Skipped != 0 || !s.Imported.Equal(testNow) {
			t.Errorf("source %+v: want a zip with every record added", s)
		}
		read += s.Read
	}
	if read != currentN {
		t.Errorf("sources read %d records, want %d", read, currentN)
	}
	s := openStore(t, dir)
	if diff := cmp.Diff(*info, s.Info()); diff != "" {
		t.Errorf("Open's Info differs from Import's (-import +open):\n%s", diff)
	}
}

// TestLookup looks packages up by the name an SBOM gives them, which is
// not always the advisory's spelling.
func TestLookup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustImport(t, dir, zipSources(t, currentDirs...)...)
	s := openStore(t, dir)
	jinja := []string{"PYSEC-2014-82", "PYSEC-2019-217", "PYSEC-2019-220"}
	cors := []string{"PYSEC-2020-43", "PYSEC-2024-71"}
	tests := []struct {
		ecosystem, name string
		want            []string
	}{
		// PyPI: PEP 503, case and runs of -_. fold.
		{"PyPI", "jinja2", jinja},
		{"PyPI", "Jinja2", jinja},
		{"PyPI", "JINJA2", jinja},
		{"PyPI", "flask-cors", cors},
		{"PyPI", "Flask_CORS", cors},
		{"PyPI", "flask.__cors", cors},
		{"PyPI", "flaskcors", nil},
		// Maven: group:artifact, case-sensitive.
		{"Maven", "org.apache.logging.log4j:log4j-core", []string{"GHSA-jfh8-c2jp-5v3q"}},
		{"Maven", "org.apache.logging.log4j:LOG4J-CORE", nil},
		{"Maven", "log4j-core", nil},
		{"Maven", "org.springframework:spring-beans", []string{"GHSA-36p3-wjmg-h94x"}},
		{"Maven", "org.springframework.boot:spring-boot-starter-web", []string{"GHSA-36p3-wjmg-h94x"}},
		// npm: case-sensitive; the stored GHSA-8hc4 spells "Axios".
		{"npm", "axios", []string{"GHSA-wf5p-g6vw-rhxx"}},
		{"npm", "Axios", []string{"GHSA-8hc4-vh64-cxmj"}},
		{"npm", "moment", []string{"GHSA-8hfj-j24r-96c4"}},
		// Withdrawn records are returned; the matcher ignores them.
		{"npm", "jsonwebtoken", []string{"GHSA-27h2-hvpr-p74q"}},
		// NuGet and Packagist fold case.
		{"NuGet", "moment.js", []string{"GHSA-8hfj-j24r-96c4"}},
		{"NuGet", "MOMENT.JS", []string{"GHSA-8hfj-j24r-96c4"}},
		{"Packagist", "GuzzleHttp/Guzzle", []string{"GHSA-25mq-v84q-4j7r"}},
		{"Go", "golang.org/x/net", []string{"GO-2022-1144"}},
		{"Go", "stdlib", []string{"GO-2022-1144"}},
		{"Go", "k8s.io/kubernetes", []string{"GO-2022-0617"}},
		{"crates.io", "regex", []string{"RUSTSEC-2022-0013"}},
		// An ecosystem's release is no part of the key.
		{"crates.io:1", "time", []string{"RUSTSEC-2020-0071"}},
		// A prefix of a name is another package.
		{"Go", "golang.org/x", nil},
		{"npm", "", nil},
		{"Unknown", "axios", nil},
	}
	for _, tt := range tests {
		t.Run(tt.ecosystem+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Lookup(tt.ecosystem, tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, idsOf(got)); diff != "" {
				t.Errorf("Lookup(%q, %q) (-want +got):\n%s", tt.ecosystem, tt.name, diff)
			}
		})
	}
}

// TestRecordByIDOrAlias finds a record by its id and by each alias.
func TestRecordByIDOrAlias(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustImport(t, dir, zipSources(t, currentDirs...)...)
	s := openStore(t, dir)
	for _, tt := range []struct{ id, want string }{
		{"GHSA-jfh8-c2jp-5v3q", "GHSA-jfh8-c2jp-5v3q"},
		{"CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q"},
		{"GHSA-c3h9-896r-86jm", "GO-2021-0053"},
		{"CVE-2021-3121", "GO-2021-0053"},
		{"PSF-2023-1", "PSF-2023-1"},
		{"CVE-2023-24329", "PSF-2023-1"},
		{"GHSA-462w-v97r-4m45", "PYSEC-2019-217"},
		{"GO-2022-0617", "GO-2022-0617"}, // withdrawn, still there
		{"CVE-2021-4422", ""},
		{"CVE-0000-0000", ""},
		{"", ""},
	} {
		v, err := s.Record(tt.id)
		if err != nil {
			t.Fatalf("Record(%q): %v", tt.id, err)
		}
		if v.GetId() != tt.want {
			t.Errorf("Record(%q) = %q, want %q", tt.id, v.GetId(), tt.want)
		}
	}
}

// TestStoredJSON checks that a JSON record is stored byte for byte, and a
// YAML record as JSON with the same content.
func TestStoredJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustImport(t, dir, Source{Path: filepath.Join("testdata", "ghsa")}, Source{Path: filepath.Join("testdata", "pypa")})
	s := openStore(t, dir)
	want := readAll(t, filepath.Join("testdata", "ghsa", "GHSA-jfh8-c2jp-5v3q.json"))
	if got := storedJSON(t, s, "GHSA-jfh8-c2jp-5v3q"); string(got) != string(want) {
		t.Errorf("stored JSON differs from the file (%d vs %d bytes)", len(got), len(want))
	}
	yamlRec, err := osv.Parse(readAll(t, filepath.Join("testdata", "pypa", "jinja2", "PYSEC-2019-217.yaml")), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	jsonRec, err := osv.Parse(storedJSON(t, s, "PYSEC-2019-217"), "stored")
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(yamlRec, jsonRec) {
		t.Error("the stored JSON of a YAML record has other content")
	}
}

// TestDigestStable imports the same records in other orders and from
// other kinds of source: the digest names the content, not the way in.
func TestDigestStable(t *testing.T) {
	t.Parallel()
	all := append(slices.Clone(currentDirs), "osv-scanner")
	reversed := slices.Clone(all)
	slices.Reverse(reversed)
	var dirSources []Source
	for _, d := range all {
		dirSources = append(dirSources, Source{Path: filepath.Join("testdata", d)})
	}
	// One zip of everything, the older copies first: RUSTSEC-2022-0013
	// has two versions with the same modified time.
	older := append(recordsOf(t, "osv-scanner"), recordsOf(t, currentDirs...)...)
	newerFirst := append(recordsOf(t, currentDirs...), recordsOf(t, "osv-scanner")...)
	tmp := t.TempDir()
	imports := map[string][]Source{
		"zips in order":        zipSources(t, all...),
		"zips reversed":        zipSources(t, reversed...),
		"directories":          dirSources,
		"one zip, older last":  {{Path: writeFile(t, tmp, "a.zip", zipBytes(t, newerFirst))}},
		"one zip, older first": {{Path: writeFile(t, tmp, "b.zip", zipBytes(t, older))}},
	}
	digests := map[string]string{}
	for name, sources := range imports {
		info := mustImport(t, t.TempDir(), sources...)
		digests[name] = info.Digest
		if info.Records != currentN {
			t.Errorf("%s: %d records, want %d", name, info.Records, currentN)
		}
	}
	// Importing one at a time, into the same store, in either order.
	for _, order := range [][]string{all, reversed} {
		dir := t.TempDir()
		var info *Info
		for _, d := range order {
			info = mustImport(t, dir, zipSources(t, d)...)
		}
		digests["one at a time from "+order[0]] = info.Digest
	}
	first := digests["zips in order"]
	for name, d := range digests {
		if d != first {
			t.Errorf("digest of %q is %s, of \"zips in order\" %s", name, d, first)
		}
	}
	// And the digest depends on the content: the older copies alone give
	// another one.
	if d := mustImport(t, t.TempDir(), zipSources(t, "osv-scanner")...).Digest; d == first {
		t.Error("a store of other records has the same digest")
	}
}

// TestReplaceByModified imports two versions of real records in both
// orders: the newer stays.
func TestReplaceByModified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		first, then string
		id          string
		modified    time.Time
		// counts of the second import
		replaced, unchanged int
		// an alias only the newer version has
		alias string
	}{
		{"newer replaces older", "osv-scanner/RUSTSEC-2020-0071.json", "rustsec/RUSTSEC-2020-0071.json", "RUSTSEC-2020-0071", time.Date(2024, 6, 5, 14, 0, 17, 0, time.UTC), 1, 0, "GHSA-wcg3-cvx6-7396"},
		{"older does not replace newer", "rustsec/RUSTSEC-2020-0071.json", "osv-scanner/RUSTSEC-2020-0071.json", "RUSTSEC-2020-0071", time.Date(2024, 6, 5, 14, 0, 17, 0, time.UTC), 0, 1, "GHSA-wcg3-cvx6-7396"},
		{"0001-01-01 does not replace 2023", "osv-scanner/GO-2021-0053.json", "go-vulndb/GO-2021-0053.json", "GO-2021-0053", time.Date(2023, 6, 12, 18, 45, 41, 0, time.UTC), 0, 1, ""},
		{"2023 replaces 0001-01-01", "go-vulndb/GO-2021-0053.json", "osv-scanner/GO-2021-0053.json", "GO-2021-0053", time.Date(2023, 6, 12, 18, 45, 41, 0, time.UTC), 1, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, tmp := t.TempDir(), t.TempDir()
			source := func(rel string) Source {
				data := readAll(t, filepath.Join("testdata", rel))
				return Source{Path: writeFile(t, tmp, strings.ReplaceAll(rel, "/", "_")+".zip", zipBytes(t, []zipFile{{filepath.Base(rel), data}}))}
			}
			mustImport(t, dir, source(tt.first))
			info := mustImport(t, dir, source(tt.then))
			last := info.Sources[len(info.Sources)-1]
			if last.Read != 1 || last.Replaced != tt.replaced || last.Unchanged != tt.unchanged || last.Added != 0 {
				t.Errorf("second import: %+v, want %d replaced, %d unchanged", last, tt.replaced, tt.unchanged)
			}
			if info.Records != 1 {
				t.Errorf("%d records, want 1", info.Records)
			}
			s := openStore(t, dir)
			v, err := s.Record(tt.id)
			if err != nil || v == nil {
				t.Fatalf("Record(%s) = %v, %v", tt.id, v, err)
			}
			if got := v.GetModified().AsTime(); !got.Equal(tt.modified) {
				t.Errorf("stored modified %v, want %v", got, tt.modified)
			}
			if tt.alias != "" {
				if v, _ := s.Record(tt.alias); v.GetId() != tt.id {
					t.Errorf("alias %s of the newer version finds %q", tt.alias, v.GetId())
				}
			}
		})
	}
}

// TestReplaceReindexes replaces a record by one that names another package
// and other aliases: the old names no longer find it. The two versions
// are written for the test, from a real record.
func TestReplaceReindexes(t *testing.T) {
	t.Parallel()
	base, err := osv.Parse(readAll(t, filepath.Join("testdata", "ghsa", "GHSA-wf5p-g6vw-rhxx.json")), "base")
	if err != nil {
		t.Fatal(err)
	}
	newer := proto.Clone(base).(*osv.Vulnerability)
	newer.Modified = timestamppb.New(base.GetModified().AsTime().Add(time.Hour))
	newer.Aliases = []string{"CVE-2099-0001"}
	newer.Affected[0].Package.Name = "axios-renamed"
	withdrawn := proto.Clone(newer).(*osv.Vulnerability)
	withdrawn.Modified = timestamppb.New(newer.GetModified().AsTime().Add(time.Hour))
	withdrawn.Withdrawn = withdrawn.Modified

	dir, tmp := t.TempDir(), t.TempDir()
	step := func(name string, v *osv.Vulnerability) *Info {
		data, err := protojsonMarshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return mustImport(t, dir, Source{Path: writeFile(t, tmp, name+".zip", zipBytes(t, []zipFile{{v.GetId() + ".json", data}}))})
	}
	step("base", base)
	step("newer", newer)
	s := openStore(t, dir)
	for _, tt := range []struct {
		eco, name string
		want      []string
	}{{"npm", "axios", nil}, {"npm", "axios-renamed", []string{"GHSA-wf5p-g6vw-rhxx"}}} {
		got, err := s.Lookup(tt.eco, tt.name)
		if err != nil || !slices.Equal(idsOf(got), tt.want) {
			t.Errorf("Lookup(%s) = %v, %v; want %v", tt.name, idsOf(got), err, tt.want)
		}
	}
	if v, _ := s.Record("CVE-2023-45857"); v != nil {
		t.Error("the replaced version's alias still finds the record")
	}
	if v, _ := s.Record("CVE-2099-0001"); v.GetId() != "GHSA-wf5p-g6vw-rhxx" {
		t.Errorf("the new alias finds %q", v.GetId())
	}
	s.Close()
	info := step("withdrawn", withdrawn)
	if info.Records != 1 || info.Withdrawn != 1 {
		t.Errorf("after a withdrawn version: %d records, %d withdrawn; want 1, 1", info.Records, info.Withdrawn)
	}
}

// TestWithdrawnNeverMatches keeps withdrawn records, counts them, returns
// them from Lookup, and the matcher never reports them.
func TestWithdrawnNeverMatches(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	info := mustImport(t, dir, zipSources(t, "ghsa", "go-vulndb")...)
	if info.Withdrawn != 2 {
		t.Errorf("%d withdrawn, want 2", info.Withdrawn)
	}
	s := openStore(t, dir)
	for _, p := range []match.Package{
		{Ecosystem: "npm", Name: "jsonwebtoken", Version: "8.5.1"},
		{Ecosystem: "Go", Name: "k8s.io/kubernetes", Version: "1.20.0"},
	} {
		records, err := s.Lookup(p.Ecosystem, p.Name)
		if err != nil || len(records) != 1 {
			t.Fatalf("Lookup(%s) = %d records, %v; want the withdrawn one", p.Name, len(records), err)
		}
		v := records[0]
		if v.GetWithdrawn() == nil {
			t.Fatalf("%s: withdrawn time lost", v.GetId())
		}
		if match.Affects(v, p).Affected {
			t.Errorf("withdrawn %s matches %s@%s", v.GetId(), p.Name, p.Version)
		}
		// The version is in the record's range: without the withdrawal
		// it would match, so the check above can fail.
		active := proto.Clone(v).(*osv.Vulnerability)
		active.Withdrawn = nil
		if !match.Affects(active, p).Affected {
			t.Errorf("%s without its withdrawal does not match %s@%s: the test proves nothing", v.GetId(), p.Name, p.Version)
		}
	}
}

// TestOpenErrors opens what is not a store.
func TestOpenErrors(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	if _, err := Open(empty); !errors.Is(err, ErrNoStore) {
		t.Errorf("empty directory: %v, want ErrNoStore", err)
	}
	garbage := t.TempDir()
	writeFile(t, garbage, FileName, []byte("not a bbolt file"))
	_, err := Open(garbage)
	oneLine(t, err, garbage)
	// An import into a directory whose store is garbage fails and leaves
	// the garbage as it was.
	_, err = Import(context.Background(), garbage, zipSources(t, "psf"), ImportOptions{})
	oneLine(t, err, garbage)
	if got := readAll(t, Path(garbage)); string(got) != "not a bbolt file" {
		t.Error("a failed import changed the store file")
	}
	if l := leftovers(t, garbage); len(l) != 0 {
		t.Errorf("left behind: %v", l)
	}
	if _, err := os.Stat(Path(empty)); !os.IsNotExist(err) {
		t.Errorf("Open created a store: %v", err)
	}
}
