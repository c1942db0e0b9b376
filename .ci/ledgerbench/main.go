// Command ledgerbench is the helper of .ci/bench-ledger.sh: it fills an
// evidence ledger (practices/ledger) with synthetic records in one process,
// has the git command line make the same commits, and times status and
// verify in process, each step reporting its wall time, CPU time (with the
// git processes it ran) and peak RSS. It is a benchmark tool, not part of
// sdlkit.
//
//	ledgerbench append -repo DIR -n N [-start I] [-evidence-size 1024] [-products 1] [-releases 50] [-batch 1] [-mark K]
//	ledgerbench gitcli -from LEDGER -repo DIR [-n N] [-mode plumbing|porcelain]
//	ledgerbench status -repo DIR [-mode cold|warm|incremental] [-runs 5] [-product P]
//	ledgerbench verify -repo DIR [-mode full|incremental] [-runs 5]
//	ledgerbench big -repo DIR [-gb 1] [-files 100] [-keep DIR]
//	ledgerbench fsprobe -dir DIR [-n 2000]
//
// Every command takes -cpuprofile FILE (a CPU profile for 'go tool pprof'),
// -tsv FILE (appends its result line: label, wall ms, CPU ms, peak RSS KiB,
// count, bytes) and -label LABEL (the line's label). The records are
// deterministic: the same flags give the same records, times and commits,
// so that gitcli can replay what append made and check that git reached
// the same head.
//
// Exit status: 0 ok, 1 a command failed, 2 usage error.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"syscall"
	"time"
)

const usage = `usage:
  ledgerbench append -repo DIR -n N [-start I] [-evidence-size 1024] [-products 1] [-releases 50] [-batch 1] [-mark K]
  ledgerbench gitcli -from LEDGER -repo DIR [-n N] [-mode plumbing|porcelain]
  ledgerbench status -repo DIR [-mode cold|warm|incremental] [-runs 5] [-product P]
  ledgerbench verify -repo DIR [-mode full|incremental] [-runs 5]
  ledgerbench big -repo DIR [-gb 1] [-files 100] [-keep DIR]
  ledgerbench fsprobe -dir DIR [-n 2000]
every command: [-cpuprofile FILE] [-tsv FILE] [-label LABEL]
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	commands := map[string]func(*common, []string) error{
		"append":  runAppend,
		"gitcli":  runGitCLI,
		"status":  runStatus,
		"verify":  runVerify,
		"big":     runBig,
		"fsprobe": runFSProbe,
	}
	run, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	c := &common{name: os.Args[1]}
	err := run(c, os.Args[2:])
	if stop := c.stopProfile; stop != nil {
		stop()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ledgerbench %s: %v\n", os.Args[1], err)
		if _, isUsage := err.(usageError); isUsage {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a wrong command line.
type usageError string

func (e usageError) Error() string { return string(e) }

// common holds the flags every command takes and reports its results.
type common struct {
	name        string
	profile     string
	tsv         string
	label       string
	stopProfile func()
}

// flags returns a flag set with the common flags registered.
func (c *common) flags() *flag.FlagSet {
	fl := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fl.StringVar(&c.profile, "cpuprofile", "", "write a CPU profile to `FILE`")
	fl.StringVar(&c.tsv, "tsv", "", "append result lines to `FILE`")
	fl.StringVar(&c.label, "label", "", "the result's `LABEL` (default: the command's)")
	return fl
}

// start begins the CPU profile, when asked for, after the flags are parsed.
func (c *common) start() error {
	if c.profile == "" {
		return nil
	}
	f, err := os.Create(c.profile)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	c.stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
	return nil
}

// meter measures a step: wall time and the process's CPU time since it
// began; the peak RSS is the process's so far.
type meter struct {
	start time.Time
	cpu   time.Duration
}

func newMeter() meter { return meter{start: time.Now(), cpu: cpuTime()} }

// cpuTime is the CPU time (user and system) of the process and of the
// children it waited for (gitcli's git processes).
func cpuTime() time.Duration {
	var t time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			t += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return t
}

// peakRSSKiB is the peak RSS of the process or of its largest child.
func peakRSSKiB() int64 {
	var peak int64
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			peak = max(peak, ru.Maxrss) // KiB on Linux
		}
	}
	return peak
}

// result is one measured step.
type result struct {
	label  string
	wall   time.Duration
	cpu    time.Duration
	rssKiB int64
	count  int   // records, commits, runs: what the label says
	bytes  int64 // evidence bytes, when it matters
}

func (m meter) result(label string, count int, bytes int64) result {
	return result{label: label, wall: time.Since(m.start), cpu: cpuTime() - m.cpu, rssKiB: peakRSSKiB(), count: count, bytes: bytes}
}

// report prints r on stdout and appends it to the TSV file, labelled with
// -label when given.
func (c *common) report(r result) error {
	if c.label != "" {
		r.label = c.label
	}
	return c.reportAs(r)
}

// reportAs reports r under its own label.
func (c *common) reportAs(r result) error {
	fmt.Printf("%-28s wall %9.1f ms  CPU %9.1f ms  peak RSS %6.1f MiB  count %d", r.label, ms(r.wall), ms(r.cpu), float64(r.rssKiB)/1024, r.count)
	if r.bytes > 0 {
		fmt.Printf("  %.1f MB, %.0f MB/s", float64(r.bytes)/1e6, float64(r.bytes)/1e6/r.wall.Seconds())
	}
	fmt.Println()
	if c.tsv == "" {
		return nil
	}
	f, err := os.OpenFile(c.tsv, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s\t%.1f\t%.1f\t%d\t%d\t%d\n", r.label, ms(r.wall), ms(r.cpu), r.rssKiB, r.count, r.bytes)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
