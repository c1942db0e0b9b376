// Command scanprof shows where the time of 'sdlkit scan TARGET' goes: it
// runs the steps of the scan command in one process, N times, times each
// step, and writes a CPU profile over all runs for 'go tool pprof'. sdlkit
// has no profiling flag; this calls the same domain packages in the same
// order as cmd/sdlkit's runScan (without VEX and atomic output files,
// which cost nothing here), so the split holds for the command too, except
// for the process start-up that .ci/bench-startup.sh measures.
//
//	go build -o scanprof ./.ci/scanprof
//	scanprof -db DIR [-n 20] [-cpuprofile cpu.pprof] [-include-dev] TARGET
//	go tool pprof -top cpu.pprof
//
// TARGET is a directory or lockfile (its SBOM generated as 'sdlkit scan'
// generates it, from the Go module cache in $GOMODCACHE) or a CycloneDX or
// SPDX SBOM file (decoded).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/format"
	"github.com/sdlkit/sdlkit/sbom/generate"
	"github.com/sdlkit/sdlkit/vulnmgmt/advisories"
	"github.com/sdlkit/sdlkit/vulnmgmt/report"
	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
)

func main() {
	db := flag.String("db", "", "the advisory store `DIR`")
	n := flag.Int("n", 20, "runs")
	profile := flag.String("cpuprofile", "", "write a CPU profile of all runs to `FILE`")
	includeDev := flag.Bool("include-dev", false, "generate with development dependencies")
	flag.Parse()
	if *db == "" || flag.NArg() != 1 || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: scanprof -db DIR [-n 20] [-cpuprofile FILE] [-include-dev] TARGET")
		os.Exit(2)
	}
	if err := run(*db, flag.Arg(0), *n, *profile, *includeDev); err != nil {
		fmt.Fprintln(os.Stderr, "scanprof:", err)
		os.Exit(1)
	}
}

// steps of one scan, in order.
var steps = []string{"sbom (generate or decode)", "open store", "match (scan.Scan)", "render json", "total"}

func run(db, target string, n int, profile string, includeDev bool) error {
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	times := make([][]time.Duration, len(steps))
	var first []time.Duration
	var comps, findings int
	for run := range n + 1 {
		t, c, f, err := once(db, target, includeDev)
		if err != nil {
			return err
		}
		if run == 0 {
			first = t
			continue
		}
		for i := range t {
			times[i] = append(times[i], t[i])
		}
		comps, findings = c, f
	}
	fmt.Printf("%s: %d components, %d findings\n", target, comps, findings)
	fmt.Printf("  %-26s %9s  %s\n", "step", "first run", fmt.Sprintf("median of the next %d runs in the same process (min-max)", n))
	for i, name := range steps {
		slices.Sort(times[i])
		fmt.Printf("  %-26s %6.1f ms  %6.1f ms (%.1f-%.1f)\n", name, ms(first[i]),
			ms(times[i][len(times[i])/2]), ms(times[i][0]), ms(times[i][len(times[i])-1]))
	}
	return nil
}

// once runs the steps of one scan and returns their durations.
func once(db, target string, includeDev bool) ([]time.Duration, int, int, error) {
	ctx := context.Background()
	t := make([]time.Duration, len(steps))
	start := time.Now()
	b, err := load(ctx, target, includeDev)
	if err != nil {
		return nil, 0, 0, err
	}
	t[0] = time.Since(start)
	mark := time.Now()
	store, err := advisories.Open(db)
	if err != nil {
		return nil, 0, 0, err
	}
	defer store.Close()
	t[1] = time.Since(mark)
	mark = time.Now()
	res, err := scan.Scan(ctx, b, store, scan.Options{Source: target, Tool: scan.Tool{Name: "sdlkit"}})
	if err != nil {
		return nil, 0, 0, err
	}
	t[2] = time.Since(mark)
	mark = time.Now()
	if err := report.JSON(io.Discard, res); err != nil {
		return nil, 0, 0, err
	}
	t[3] = time.Since(mark)
	t[4] = time.Since(start)
	return t, len(b.Components), len(res.Findings), nil
}

// load decodes an SBOM file or generates the SBOM of a tree, as the scan
// command's loadTarget does.
func load(ctx context.Context, target string, includeDev bool) (*sbom.BOM, error) {
	if info, err := os.Stat(target); err == nil && info.Mode().IsRegular() {
		data, err := os.ReadFile(target)
		if err != nil {
			return nil, err
		}
		if _, err := format.Detect(data); err == nil {
			return format.Decode(bytes.NewReader(data), target)
		}
	}
	return generate.SBOM(ctx, target, generate.Options{
		IncludeDev:    includeDev,
		GoModuleCache: generate.DefaultGoModuleCache(os.Getenv),
	})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
