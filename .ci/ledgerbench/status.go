package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sdlkit/sdlkit/practices"
	"github.com/sdlkit/sdlkit/practices/ledger"
)

// runStatus times Status in process, opening the ledger afresh for each
// run as the command does: cold (the index cache removed before each
// run: every record read from the tree), warm (the cache at the head) or
// incremental (one record appended before each run, untimed: the cache is
// one commit behind).
func runStatus(c *common, args []string) error {
	fl := c.flags()
	repo := fl.String("repo", "", "the ledger's repository `DIR`")
	mode := fl.String("mode", "warm", "cold, warm or incremental")
	runs := fl.Int("runs", 5, "timed runs")
	product := fl.String("product", "", "the product (default: the ledger's)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *repo == "" || *runs < 1 || !slices.Contains([]string{"cold", "warm", "incremental"}, *mode) {
		return usageError("status -repo DIR [-mode cold|warm|incremental] [-runs 5] [-product P]")
	}
	cat, err := practices.Builtin()
	if err != nil {
		return err
	}
	loc := ledger.Location{Repo: *repo}
	status := func() (int, error) {
		l, err := ledger.Open(loc, cat)
		if err != nil {
			return 0, err
		}
		st, err := l.Status(context.Background(), ledger.StatusOptions{Product: *product})
		if err != nil {
			return 0, err
		}
		return st.Records, nil
	}
	var prep func() error
	switch *mode {
	case "cold":
		prep = func() error { return removeCaches(loc, cat, "index-*") }
	case "warm":
		if _, err := status(); err != nil {
			return err
		}
	case "incremental":
		if _, err := status(); err != nil {
			return err
		}
		prep = func() error { return appendOne(loc, cat) }
	}
	if err := c.start(); err != nil {
		return err
	}
	return c.timeRuns("status "+*mode, *runs, prep, status)
}

// removeCaches removes the cache files the ledger keeps in the git
// directory whose names match pattern: "index-*" the index Summaries
// keeps, "verify-*" the last clean verification.
func removeCaches(loc ledger.Location, cat *practices.Catalog, pattern string) error {
	l, err := ledger.Open(loc, cat)
	if err != nil {
		return err
	}
	matches, err := filepath.Glob(filepath.Join(l.GitDir(), "sdlkit", pattern))
	if err != nil {
		return err
	}
	for _, m := range matches {
		if err := os.Remove(m); err != nil {
			return err
		}
	}
	return nil
}

// appendOne appends a record made now, with a small evidence blob.
func appendOne(loc ledger.Location, cat *practices.Catalog) error {
	l, err := ledger.Open(loc, cat)
	if err != nil {
		return err
	}
	now := time.Now()
	w := &ledger.Writer{Ledger: l}
	_, err = w.Append(context.Background(), []ledger.Entry{{
		Record: ledger.Record{Actor: actor, Requirements: []string{"SVV-1"}, Kind: "test-report", Version: "9.9.9",
			Summary: fmt.Sprintf("one more record, %d", now.UnixNano())},
		Blobs: []ledger.Blob{{Name: "report.json", Data: evidence(int(now.UnixNano()%1e9), 1024)}},
	}})
	return err
}

// timeRuns times run runs times, prep (untimed) before each, and reports
// the median wall and CPU time and the count the last run returned.
func (c *common) timeRuns(label string, runs int, prep func() error, run func() (int, error)) error {
	var walls, cpus, each []time.Duration
	var count int
	for range runs {
		if prep != nil {
			if err := prep(); err != nil {
				return err
			}
		}
		m := newMeter()
		n, err := run()
		if err != nil {
			return err
		}
		r := m.result(label, n, 0)
		walls, cpus, count = append(walls, r.wall), append(cpus, r.cpu), n
		each = append(each, r.wall)
	}
	var list []string
	for _, d := range each {
		list = append(list, fmt.Sprintf("%.0f", ms(d)))
	}
	fmt.Printf("  %s: runs %s ms\n", label, strings.Join(list, " "))
	slices.Sort(walls)
	slices.Sort(cpus)
	return c.report(result{label: label, wall: walls[len(walls)/2], cpu: cpus[len(cpus)/2], rssKiB: peakRSSKiB(), count: count})
}
