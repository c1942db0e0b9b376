package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// runMeasure times commands interleaved: round after round, each command
// once, the order rotated every round, so that a burst of load on a shared
// machine falls on all of them alike (hyperfine runs one command's runs,
// then the next's). Each run records wall time, CPU time (user + system)
// and peak resident set size, from the kernel's rusage of the process and
// the children it waited for (no /usr/bin/time needed). A "{run}" in a
// command's arguments becomes a number unique to the run (a fresh output
// directory per import, say); -prep runs a shell command, untimed, before
// every run (dropping the page cache, say).
//
// It prints a table (median, min, max, interquartile range, median CPU
// time, peak RSS) and with -tsv writes the same per label, in milliseconds
// and KiB:
//
//	label runs median_ms min_ms max_ms q1_ms q3_ms cpu_median_ms rss_median_kib rss_max_kib
//
// A run that exits with a status not in -ok fails the measurement.
func runMeasure(args []string) error {
	fl := flag.NewFlagSet("measure", flag.ContinueOnError)
	runs := fl.Int("runs", 10, "timed rounds")
	warmup := fl.Int("warmup", 1, "untimed rounds first")
	prep := fl.String("prep", "", "shell `CMD` run before every run, untimed")
	okList := fl.String("ok", "0,1", "exit statuses that are no failure")
	tsv := fl.String("tsv", "", "write the summary to `FILE`")
	if err := fl.Parse(args); err != nil {
		return err
	}
	cmds, err := parseCommands(fl.Args())
	if err != nil || *runs < 1 {
		return usageError("measure [-runs N] [-warmup N] [-prep CMD] [-ok 0,1] [-tsv FILE] -- LABEL CMD ARGS... [:: LABEL CMD ARGS...]")
	}
	ok := map[int]bool{}
	for _, s := range strings.Split(*okList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return usageError("-ok: not a list of exit statuses: " + *okList)
		}
		ok[n] = true
	}
	results := make([][]sample, len(cmds))
	seq := 0
	for round := range *warmup + *runs {
		for j := range cmds {
			i := (j + round) % len(cmds)
			seq++
			if *prep != "" {
				if out, err := exec.Command("sh", "-c", *prep).CombinedOutput(); err != nil {
					return fmt.Errorf("prep %q: %v: %s", *prep, err, out)
				}
			}
			s, err := runOnce(cmds[i], seq, ok)
			if err != nil {
				return err
			}
			if round >= *warmup {
				results[i] = append(results[i], s)
			}
		}
	}
	return report(cmds, results, *tsv)
}

type command struct {
	label string
	argv  []string
}

// parseCommands splits "LABEL CMD ARGS... :: LABEL CMD ARGS..." .
func parseCommands(args []string) ([]command, error) {
	var cmds []command
	for len(args) > 0 {
		i := slices.Index(args, "::")
		if i < 0 {
			i = len(args)
		}
		if i < 2 {
			return nil, errors.New("a command needs a label and a program")
		}
		cmds = append(cmds, command{label: args[0], argv: args[1:i]})
		args = args[min(i+1, len(args)):]
	}
	if len(cmds) == 0 {
		return nil, errors.New("no command")
	}
	return cmds, nil
}

// sample is one run.
type sample struct {
	wall, cpu time.Duration
	rssKiB    int64
}

func runOnce(c command, seq int, ok map[int]bool) (sample, error) {
	argv := make([]string, len(c.argv))
	for i, a := range c.argv {
		argv[i] = strings.ReplaceAll(a, "{run}", strconv.Itoa(seq))
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return sample{}, fmt.Errorf("%s: %v", c.label, err)
	}
	if code := cmd.ProcessState.ExitCode(); !ok[code] {
		return sample{}, fmt.Errorf("%s: exit status %d: %s", c.label, code, lastLines(stderr.String(), 5))
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	s := sample{wall: wall}
	if ru != nil {
		s.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		s.rssKiB = ru.Maxrss // KiB on Linux
	}
	return s, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func report(cmds []command, results [][]sample, tsvPath string) error {
	width := len("command")
	for _, c := range cmds {
		width = max(width, len(c.label))
	}
	fmt.Printf("%-*s %4s %9s %8s %8s %7s %8s %s\n", width, "command", "runs", "median ms", "min ms", "max ms",
		"IQR ms", "CPU ms", "peak RSS MiB (median / max)")
	var tsv strings.Builder
	for i, c := range cmds {
		st := summarise(results[i])
		fmt.Printf("%-*s %4d %9.0f %8.0f %8.0f %7.0f %8.0f %.1f / %.1f\n", width, c.label, len(results[i]),
			st.median, st.min, st.max, st.q3-st.q1, st.cpu, float64(st.rssMedian)/1024, float64(st.rssMax)/1024)
		fmt.Fprintf(&tsv, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\n", c.label, len(results[i]),
			st.median, st.min, st.max, st.q1, st.q3, st.cpu, st.rssMedian, st.rssMax)
	}
	if tsvPath != "" {
		return os.WriteFile(tsvPath, []byte(tsv.String()), 0o644)
	}
	return nil
}

type stats struct {
	median, min, max, q1, q3, cpu float64 // milliseconds
	rssMedian, rssMax             int64   // KiB
}

func summarise(ss []sample) stats {
	walls := make([]float64, len(ss))
	cpus := make([]float64, len(ss))
	rss := make([]float64, len(ss))
	var st stats
	for i, s := range ss {
		walls[i] = float64(s.wall) / 1e6
		cpus[i] = float64(s.cpu) / 1e6
		rss[i] = float64(s.rssKiB)
		st.rssMax = max(st.rssMax, s.rssKiB)
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	slices.Sort(rss)
	st.median, st.q1, st.q3 = quantile(walls, 0.5), quantile(walls, 0.25), quantile(walls, 0.75)
	st.min, st.max = walls[0], walls[len(walls)-1]
	st.cpu = quantile(cpus, 0.5)
	st.rssMedian = int64(quantile(rss, 0.5))
	return st
}

// quantile interpolates linearly between the sorted values.
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	lo := int(pos)
	if lo+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (pos-float64(lo))*(sorted[lo+1]-sorted[lo])
}
