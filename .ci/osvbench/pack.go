package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// runPack packs a tree of OSV records (JSON or YAML) as osv-scanner v2's
// offline database, DBDIR/osv-scalibr/<Ecosystem>/all.zip, the layout
// osv-scalibr's enricher/vulnmatch/osvlocal reads (--local-db-path DBDIR),
// with DBDIR/osv-scanner as a link for older v2 releases.
//
// The records chosen are those 'sdlkit advisories import DIR' keeps, so
// that both scanners see the same advisories: the tree is walked in lexical
// order (dot directories skipped), files ending .json, .yaml or .yml are
// read, a file without id or modified time is left out, and of two records
// with one id the newer by modified time wins, the first on a tie. YAML is
// converted with sigs.k8s.io/yaml, as sdlkit converts it, and JSON is kept
// byte for byte; so the digest printed (SHA-256 over "id\x00hex(SHA-256 of
// the JSON)\n" in id order) equals the store's when the two agree on every
// record. A record goes into the zip of each base ecosystem its affected
// packages name ("Debian:12" → Debian), and into GIT when an affected
// entry has no package (GIT ranges only), as the OSV project's exports do.
// Each ecosystem of the OSV schema's ecosystems.json without records gets
// an empty zip: osv-scanner stops matching for the whole scan when one
// scanned package's ecosystem has no zip.
func runPack(args []string) error {
	fl := flag.NewFlagSet("pack", flag.ContinueOnError)
	fixtures := fl.String("fixtures", "", "the OSV records `DIR` (e.g. ../shared/fixtures/osv)")
	out := fl.String("out", "", "the database `DIR` to write")
	schema := fl.String("ecosystems", "", "the OSV schema's ecosystems.json (default: FIXTURES/osv-schema/ecosystems.json)")
	if err := fl.Parse(args); err != nil || *fixtures == "" || *out == "" || fl.NArg() != 0 {
		return usageError("pack -fixtures DIR -out DBDIR")
	}
	recs, skipped, err := readTree(*fixtures)
	if err != nil {
		return err
	}
	zips := map[string][]*packRecord{}
	for _, r := range recs {
		for _, eco := range r.ecosystems {
			zips[eco] = append(zips[eco], r)
		}
	}
	ecosPath := *schema
	if ecosPath == "" {
		ecosPath = filepath.Join(*fixtures, "osv-schema", "ecosystems.json")
	}
	empty, err := addEmpty(zips, ecosPath)
	if err != nil {
		return err
	}
	base := filepath.Join(*out, "osv-scalibr")
	if err := os.RemoveAll(base); err != nil {
		return err
	}
	for _, eco := range sortedKeys(zips) {
		if err := writeZip(filepath.Join(base, eco, "all.zip"), zips[eco]); err != nil {
			return err
		}
		if n := len(zips[eco]); n > 0 {
			fmt.Printf("%-12s %6d records\n", eco, n)
		}
	}
	link := filepath.Join(*out, "osv-scanner")
	if _, err := os.Lstat(link); errors.Is(err, fs.ErrNotExist) {
		if err := os.Symlink("osv-scalibr", link); err != nil {
			return err
		}
	}
	fmt.Printf("%d records (%d duplicate ids resolved, %d files without id or modified time left out); %d ecosystems without records get an empty zip\n",
		len(recs), skipped.duplicates, skipped.invalid, empty)
	fmt.Printf("digest %s\n", digestOf(recs))
	return nil
}

// packRecord is one advisory as packed.
type packRecord struct {
	id         string
	modified   time.Time
	json       []byte
	ecosystems []string
}

type packSkips struct{ duplicates, invalid int }

// readTree reads every record below dir, resolving duplicate ids.
func readTree(dir string) ([]*packRecord, packSkips, error) {
	var skips packSkips
	byID := map[string]*packRecord{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".yaml", ".yml":
		default:
			return nil
		}
		r, err := readRecord(p)
		if err != nil {
			return err
		}
		if r == nil {
			skips.invalid++
			return nil
		}
		if old, ok := byID[r.id]; ok {
			skips.duplicates++
			if !r.modified.After(old.modified) {
				return nil
			}
		}
		byID[r.id] = r
		return nil
	})
	if err != nil {
		return nil, skips, fmt.Errorf("read %q: %w", dir, err)
	}
	recs := make([]*packRecord, 0, len(byID))
	for _, r := range byID {
		recs = append(recs, r)
	}
	slices.SortFunc(recs, func(a, b *packRecord) int { return strings.Compare(a.id, b.id) })
	return recs, skips, nil
}

// readRecord reads one file; nil when it is no OSV record (no id or no
// modified time: a schema file, a SOURCES.json).
func readRecord(path string) (*packRecord, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !json.Valid(data) {
		if data, err = yaml.YAMLToJSON(data); err != nil {
			return nil, nil
		}
	}
	var head struct {
		ID       string `json:"id"`
		Modified string `json:"modified"`
		Affected []struct {
			Package *struct {
				Ecosystem string `json:"ecosystem"`
			} `json:"package"`
		} `json:"affected"`
	}
	if json.Unmarshal(data, &head) != nil || head.ID == "" || head.Modified == "" {
		return nil, nil
	}
	modified, err := time.Parse(time.RFC3339Nano, head.Modified)
	if err != nil {
		return nil, nil
	}
	r := &packRecord{id: head.ID, modified: modified, json: data}
	for _, a := range head.Affected {
		eco := "GIT"
		if a.Package != nil && a.Package.Ecosystem != "" {
			eco, _, _ = strings.Cut(a.Package.Ecosystem, ":")
		}
		if !slices.Contains(r.ecosystems, eco) {
			r.ecosystems = append(r.ecosystems, eco)
		}
	}
	return r, nil
}

// addEmpty adds an empty entry for every schema ecosystem without records
// and returns how many it added.
func addEmpty(zips map[string][]*packRecord, ecosystemsJSON string) (int, error) {
	data, err := os.ReadFile(ecosystemsJSON)
	if err != nil {
		return 0, err
	}
	var ecos map[string]any
	if err := json.Unmarshal(data, &ecos); err != nil {
		return 0, fmt.Errorf("read %q: %w", ecosystemsJSON, err)
	}
	n := 0
	for eco := range ecos {
		if _, ok := zips[eco]; !ok {
			zips[eco] = nil
			n++
		}
	}
	return n, nil
}

// writeZip writes records as <ID>.json entries, in id order, with a fixed
// time, so that a rerun writes the same bytes.
func writeZip(path string, recs []*packRecord) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	stamp := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range recs {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: r.id + ".json", Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return err
		}
		if _, err := w.Write(r.json); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// digestOf is sdlkit's store digest over recs (sorted by id).
func digestOf(recs []*packRecord) string {
	h := sha256.New()
	for _, r := range recs {
		sum := sha256.Sum256(r.json)
		fmt.Fprintf(h, "%s\x00%s\n", r.id, hex.EncodeToString(sum[:]))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
