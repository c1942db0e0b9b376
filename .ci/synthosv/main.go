// Command synthosv writes a synthetic OSV export for .ci/bench-scale.sh:
// N advisories over ten ecosystems, one all.zip of <ID>.json records per
// ecosystem, the layout of the OSV project's exports, so that 'sdlkit
// advisories import DIR/*/all.zip' reads it as it reads the real ones.
//
//	go run ./.ci/synthosv -n 300000 -seed 1 -sbom app.cdx.json -out DIR
//
// The records are made up (ids and aliases in the years 2030-2034, names
// that are no real package's, example.invalid and made-up GitHub links)
// but shaped like the real ones of each ecosystem: summary, details,
// aliases, references, CVSS v3.1 (and some v4.0) vectors, SEMVER or
// ECOSYSTEM ranges with introduced and fixed events, version lists,
// database_specific and ecosystem_specific; about 1.5 KB of JSON each, the
// size of the shared fixtures' records.
//
// Two kinds of record:
//   - -hits records (default 200) name packages of the SBOM given with
//     -sbom, two each, for components picked by a hash of their name (one
//     in ten is eligible): half of them affect the component's version (a
//     range or a version list holding it), half do not (a range that starts
//     above it, or one fixed in it), and some pairs share a CVE alias, so a
//     scan has findings and alias groups to make at every size;
//   - the other N - hits name made-up packages, drawn per ecosystem from a
//     pool of 150,000 names with a Zipf law (a few packages with hundreds
//     of advisories, most with one or two), none equal to an SBOM name.
//
// Output is deterministic: the same flags give the same bytes. Record i
// depends on -seed and i alone, so a smaller export holds the first
// unrelated records of a larger one and the same hits: stores of different
// sizes differ only in unrelated records.
package main

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"
)

func main() {
	n := flag.Int("n", 300_000, "advisories in all, hits included")
	seed := flag.Uint64("seed", 1, "random seed")
	sbomPath := flag.String("sbom", "", "CycloneDX JSON `SBOM` whose packages get the hit records")
	hits := flag.Int("hits", 200, "records that name packages of the SBOM")
	out := flag.String("out", "", "output `DIR`: DIR/<Ecosystem>/all.zip")
	flag.Parse()
	if *out == "" || *sbomPath == "" || *n < *hits || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: synthosv -n N -seed S -sbom SBOM [-hits H] -out DIR")
		os.Exit(2)
	}
	if err := run(*n, *hits, *seed, *sbomPath, *out); err != nil {
		fmt.Fprintln(os.Stderr, "synthosv:", err)
		os.Exit(1)
	}
}

func run(n, hits int, seed uint64, sbomPath, out string) error {
	comps, err := readSBOM(sbomPath)
	if err != nil {
		return err
	}
	targets := pickTargets(comps)
	if len(targets) == 0 && hits > 0 {
		return fmt.Errorf("no component of %q in the ten ecosystems", sbomPath)
	}
	g := &gen{seed: seed, hits: hits, taken: map[string]bool{}}
	for _, c := range comps {
		g.taken[c.eco+"\x00"+c.name] = true
	}
	w, err := newExport(out)
	if err != nil {
		return err
	}
	start := time.Now()
	affecting := 0
	for j := range hits {
		rec, affects := g.hit(j, targets)
		if affects {
			affecting++
		}
		if err := w.add(rec); err != nil {
			return err
		}
	}
	for i := range n - hits {
		if err := w.add(g.unrelated(i)); err != nil {
			return err
		}
	}
	if err := w.close(); err != nil {
		return err
	}
	fmt.Printf("%d records (%d hits on %d of the SBOM's %d packages, %d of them affecting its version) in %s\n",
		n, hits, hitComponents(len(targets), hits), len(comps), affecting, time.Since(start).Round(time.Millisecond))
	w.print()
	return nil
}

// component is an SBOM package in one of the ten ecosystems.
type component struct{ eco, name, version string }

func readSBOM(path string) ([]component, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var bom struct {
		Components []struct {
			PURL string `json:"purl"`
		} `json:"components"`
	}
	if err := json.Unmarshal(data, &bom); err != nil {
		return nil, fmt.Errorf("read %q: %w", path, err)
	}
	seen := map[component]bool{}
	var out []component
	for _, c := range bom.Components {
		p, err := packageurl.FromString(c.PURL)
		if err != nil || p.Version == "" {
			continue
		}
		e := ecoByPURL(p.Type)
		if e == nil {
			continue
		}
		name := p.Name
		switch {
		case p.Namespace == "":
		case p.Type == "maven":
			name = p.Namespace + ":" + p.Name
		default:
			name = p.Namespace + "/" + p.Name
		}
		k := component{e.name, name, strings.TrimPrefix(p.Version, "v")}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b component) int {
		return strings.Compare(a.eco+"\x00"+a.name+"\x00"+a.version, b.eco+"\x00"+b.name+"\x00"+b.version)
	})
	return out, nil
}

// pickTargets keeps about one component in ten, chosen by a hash of its
// name, so that the choice does not depend on the rest of the SBOM.
func pickTargets(comps []component) []component {
	var out []component
	for _, c := range comps {
		h := fnv.New32a()
		h.Write([]byte(c.eco + "\x00" + c.name))
		if h.Sum32()%10 == 0 {
			out = append(out, c)
		}
	}
	return out
}

// export writes one zip per ecosystem.
type export struct {
	dir   string
	files map[string]*os.File
	bufs  map[string]*bufio.Writer
	zips  map[string]*zip.Writer
	count map[string]int
	bytes map[string]int64
}

func newExport(dir string) (*export, error) {
	w := &export{dir: dir, files: map[string]*os.File{}, bufs: map[string]*bufio.Writer{},
		zips: map[string]*zip.Writer{}, count: map[string]int{}, bytes: map[string]int64{}}
	for _, e := range ecosystems {
		p := filepath.Join(dir, e.name, "all.zip")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		f, err := os.Create(p)
		if err != nil {
			return nil, err
		}
		w.files[e.name] = f
		w.bufs[e.name] = bufio.NewWriterSize(f, 1<<20)
		w.zips[e.name] = zip.NewWriter(w.bufs[e.name])
	}
	return w, nil
}

var zipTime = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func (w *export) add(r *record) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	eco := baseEcosystem(r.Affected[0].Package.Ecosystem)
	zw, err := w.zips[eco].CreateHeader(&zip.FileHeader{Name: r.ID + ".json", Method: zip.Deflate, Modified: zipTime})
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	w.count[eco]++
	w.bytes[eco] += int64(len(data))
	return nil
}

func (w *export) close() error {
	for _, e := range ecosystems {
		if err := w.zips[e.name].Close(); err != nil {
			return err
		}
		if err := w.bufs[e.name].Flush(); err != nil {
			return err
		}
		if err := w.files[e.name].Close(); err != nil {
			return err
		}
	}
	return nil
}

func (w *export) print() {
	var recs int
	var raw, zipped int64
	for _, e := range ecosystems {
		st, err := os.Stat(filepath.Join(w.dir, e.name, "all.zip"))
		if err == nil {
			zipped += st.Size()
		}
		recs += w.count[e.name]
		raw += w.bytes[e.name]
		fmt.Printf("  %-10s %7d records\n", e.name, w.count[e.name])
	}
	fmt.Printf("  JSON %.1f MiB (%.0f bytes a record), zips %.1f MiB\n",
		float64(raw)/(1<<20), float64(raw)/float64(max(recs, 1)), float64(zipped)/(1<<20))
}

func baseEcosystem(eco string) string {
	base, _, _ := strings.Cut(eco, ":")
	return base
}
