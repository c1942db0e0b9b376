// Command importprof shows where the time of 'sdlkit advisories import'
// goes: it imports SRC... into the store DIR as the command does (one
// transaction, the advisories package's Import), writes a CPU profile for
// 'go tool pprof', and prints the wall and CPU time, the progress rate as
// the import goes on (records a second per slice of the import, to show
// whether the cost of a record grows with the store), and the garbage
// collector's share.
//
//	go build -o importprof ./.ci/importprof
//	importprof -db DIR [-cpuprofile cpu.pprof] SRC...
//	go tool pprof -top cpu.pprof
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/sdlkit/sdlkit/vulnmgmt/advisories"
)

func main() {
	db := flag.String("db", "", "the advisory store `DIR` (created when missing)")
	profile := flag.String("cpuprofile", "", "write a CPU profile to `FILE`")
	every := flag.Int("every", 25_000, "print the rate every `N` records read")
	flag.Parse()
	if *db == "" || flag.NArg() == 0 || *every < 1000 {
		fmt.Fprintln(os.Stderr, "usage: importprof -db DIR [-cpuprofile FILE] [-every N] SRC...")
		os.Exit(2)
	}
	if err := run(*db, *profile, *every, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "importprof:", err)
		os.Exit(1)
	}
}

func run(db, profile string, every int, srcs []string) error {
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
	var sources []advisories.Source
	for _, s := range srcs {
		sources = append(sources, advisories.Source{Path: s})
	}
	start := time.Now()
	last, lastN, lastCPU := start, 0, cpuTime()
	progress := func(n int) {
		if n-lastN < every {
			return
		}
		now, cpu := time.Now(), cpuTime()
		fmt.Printf("  records %7d-%7d: %6.0f records/s wall, %6.0f records/s CPU, heap %5.0f MiB\n",
			lastN, n, float64(n-lastN)/now.Sub(last).Seconds(), float64(n-lastN)/(cpu-lastCPU).Seconds(), heapMiB())
		last, lastN, lastCPU = now, n, cpu
	}
	read := time.Now()
	info, err := advisories.Import(context.Background(), db, sources, advisories.ImportOptions{
		Progress: func(n int) { progress(n); read = time.Now() },
	})
	if err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("imported: %d records in the store; %.1f s wall (the last %.1f s after the last record was read: finish and commit), %.1f s CPU\n",
		info.Records, time.Since(start).Seconds(), time.Since(read).Seconds(), cpuTime().Seconds())
	fmt.Printf("garbage collector: %d cycles, %.0f%% of the CPU time (runtime estimate), heap now %.0f MiB\n",
		ms.NumGC, 100*ms.GCCPUFraction, heapMiB())
	return nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapMiB() float64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}
