package main

import (
	"context"
	"fmt"
	"os"

	"github.com/sdlkit/sdlkit/practices"
	"github.com/sdlkit/sdlkit/practices/ledger"
)

// bigStart numbers the records big adds, after any append would.
const bigStart = 10_000_000

// runBig adds -gb GiB of evidence as -files records of one file each,
// written to -keep (kept, for sha256sum) or to a temporary directory,
// removed at the end.
func runBig(c *common, args []string) error {
	fl := c.flags()
	repo := fl.String("repo", "", "the ledger's repository `DIR`")
	gib := fl.Float64("gb", 1, "GiB of evidence to add")
	files := fl.Int("files", 100, "evidence files (one record each)")
	keep := fl.String("keep", "", "write the evidence files into `DIR` and keep them")
	if err := fl.Parse(args); err != nil {
		return err
	}
	size := int(*gib * (1 << 30) / float64(max(*files, 1)))
	if *repo == "" || *files < 1 || size < 64 {
		return usageError("big -repo DIR [-gb 1] [-files 100] [-keep DIR]")
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "ledgerbench-big-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cat, err := practices.Builtin()
	if err != nil {
		return err
	}
	ly, err := newLayout(cat, bigStart+*files, 1, 50, size)
	if err != nil {
		return err
	}
	// The files are written first, untimed: a pipeline step has its
	// evidence on disk before it records it.
	entries := make([]ledger.Entry, *files)
	for i := range entries {
		e, err := ly.entry(bigStart+i, dir)
		if err != nil {
			return err
		}
		e.Record.Product = ""
		entries[i] = e
	}
	if err := c.start(); err != nil {
		return err
	}
	ctx := context.Background()
	m := newMeter()
	l, err := ledger.Open(ledger.Location{Repo: *repo}, cat)
	if err != nil {
		return err
	}
	w := &ledger.Writer{Ledger: l}
	for _, e := range entries {
		if _, err := w.Append(ctx, []ledger.Entry{e}); err != nil {
			return err
		}
	}
	fmt.Printf("  %d evidence files of %.1f MiB\n", *files, float64(size)/(1<<20))
	return c.report(m.result("big", *files, int64(size)*int64(*files)))
}
