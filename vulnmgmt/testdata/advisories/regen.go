//go:build ignore

// Regen rebuilds the sample advisories from sdlkit's shared fixtures: each
// record named in records.txt (a path under ../shared/fixtures/osv) goes,
// unchanged, into ECOSYSTEM-all.zip, the layout of the OSV project's
// per-ecosystem exports, by the ecosystem of its first affected package;
// YAML records (pypa) stay YAML files in the directory PyPI/, as an
// advisory database's clone holds them. The zips are reproducible: sorted
// entries, a fixed time.
//
//	GOTOOLCHAIN=auto go run regen.go [-fixtures ../../../../shared/fixtures/osv]
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	fixtures := flag.String("fixtures", "../../../../shared/fixtures/osv", "the shared OSV fixtures")
	flag.Parse()
	list, err := os.ReadFile("records.txt")
	if err != nil {
		log.Fatal(err)
	}
	zips := map[string][]string{} // ecosystem → paths
	if err := os.RemoveAll("PyPI"); err != nil {
		log.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(list))
	for sc.Scan() {
		rel := strings.TrimSpace(sc.Text())
		if rel == "" {
			continue
		}
		src := filepath.Join(*fixtures, rel)
		data, err := os.ReadFile(src)
		if err != nil {
			log.Fatal(err)
		}
		if ext := filepath.Ext(rel); ext == ".yaml" || ext == ".yml" {
			if err := os.MkdirAll("PyPI", 0o755); err != nil {
				log.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("PyPI", filepath.Base(rel)), data, 0o644); err != nil {
				log.Fatal(err)
			}
			continue
		}
		var rec struct {
			Affected []struct {
				Package struct{ Ecosystem string }
			}
		}
		if err := json.Unmarshal(data, &rec); err != nil || len(rec.Affected) == 0 {
			log.Fatalf("%s: no affected package (%v)", rel, err)
		}
		eco, _, _ := strings.Cut(rec.Affected[0].Package.Ecosystem, ":")
		zips[eco] = append(zips[eco], src)
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	for eco, paths := range zips {
		if err := writeZip(eco+"-all.zip", paths); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s-all.zip: %d records\n", eco, len(paths))
	}
}

func writeZip(name string, paths []string) error {
	slices.SortFunc(paths, func(a, b string) int { return strings.Compare(filepath.Base(a), filepath.Base(b)) })
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.Base(p), Method: zip.Deflate, Modified: time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(name, buf.Bytes(), 0o644)
}
