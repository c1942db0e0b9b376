package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/sdlkit/sdlkit/practices"
	"github.com/sdlkit/sdlkit/practices/ledger"
)

// t0 is when the synthetic ledgers are created; record i is made i+1
// minutes later.
var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// actor records everything; git needs an e-mail address to commit.
const actor = "CI <ci@example.com>"

// layout is how the synthetic records spread over products and releases:
// release after release, each product's records of a release in a row,
// as pipelines of several products would record them.
type layout struct {
	n, products, releases, evidenceSize int
	pairs                               [][2]string // (requirement, kind) the catalog accepts
}

func newLayout(c *practices.Catalog, n, products, releases, evidenceSize int) (*layout, error) {
	if n < 1 || products < 1 || releases < 1 || evidenceSize < 64 {
		return nil, usageError("-n, -products and -releases must be at least 1, -evidence-size at least 64")
	}
	ly := &layout{n: n, products: products, releases: releases, evidenceSize: evidenceSize}
	for _, r := range c.Requirements {
		for _, k := range r.Evidence {
			ly.pairs = append(ly.pairs, [2]string{r.ID, k})
		}
	}
	return ly, nil
}

// perRelease is how many records each product has in a release.
func (ly *layout) perRelease() int {
	return max(1, (ly.n+ly.products*ly.releases-1)/(ly.products*ly.releases))
}

func (ly *layout) product(p int) string {
	if ly.products == 1 {
		return "app"
	}
	return fmt.Sprintf("product-%03d", p)
}

// entry returns record i with its evidence file, written into dir.
func (ly *layout) entry(i int, dir string) (ledger.Entry, error) {
	per := ly.perRelease()
	release, product := i/(per*ly.products), (i/per)%ly.products
	pair := ly.pairs[i%len(ly.pairs)]
	name := fmt.Sprintf("%s-%d.json", pair[1], i)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, evidence(i, ly.evidenceSize), 0o644); err != nil {
		return ledger.Entry{}, err
	}
	return ledger.Entry{
		Record: ledger.Record{
			Time: t0.Add(time.Duration(i+1) * time.Minute), Actor: actor,
			Product: ly.product(product), Version: fmt.Sprintf("1.%d.0", release),
			Requirements: []string{pair[0]}, Kind: pair[1],
			Summary: fmt.Sprintf("%s for %s, pipeline step %d", pair[1], pair[0], i),
		},
		Files: []string{path},
	}, nil
}

// evidence is record i's evidence file: JSON-like text of size bytes,
// unique to i, that compresses about as well as a scan report (hex
// digests in a repeated structure).
func evidence(i, size int) []byte {
	rng := rand.New(rand.NewPCG(uint64(i), 0x1edbe))
	b := fmt.Appendf(make([]byte, 0, size+128), `{"record":%d,"components":[`, i)
	for len(b) < size-2 {
		b = fmt.Appendf(b, `{"name":"pkg-%d","version":"%d.%d.%d","sha256":"%016x%016x%016x%016x"},`+"\n",
			rng.IntN(5000), rng.IntN(9), rng.IntN(30), rng.IntN(99), rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64())
	}
	b = b[:size-2]
	return append(b, "]}"...)
}

// openOrInit opens the ledger at dir, or creates it (product: the first
// product of the layout) when nothing is there.
func openOrInit(ctx context.Context, dir, product string) (*ledger.Ledger, error) {
	c, err := practices.Builtin()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return initLedger(ctx, dir, product)
	}
	return ledger.Open(ledger.Location{Repo: dir}, c)
}

// initLedger creates the ledger at dir (a bare repository when nothing is
// there): always the same first commits for the same product.
func initLedger(ctx context.Context, dir, product string) (*ledger.Ledger, error) {
	c, err := practices.Builtin()
	if err != nil {
		return nil, err
	}
	return ledger.Init(ctx, ledger.Location{Repo: dir}, c, ledger.InitOptions{Product: product, Actor: actor, Time: t0}, nil)
}

// runAppend appends records in process, batch records (one commit each)
// per Append call: -batch 1 is one 'ledger record' per pipeline step
// without the process start-up.
func runAppend(c *common, args []string) error {
	fl := c.flags()
	repo := fl.String("repo", "", "the ledger's repository `DIR` (created when missing)")
	n := fl.Int("n", 10000, "records to append")
	start := fl.Int("start", 0, "index of the first record (to go on appending to a ledger)")
	size := fl.Int("evidence-size", 1024, "bytes of each record's evidence file")
	products := fl.Int("products", 1, "products the records spread over")
	releases := fl.Int("releases", 50, "releases of each product")
	batch := fl.Int("batch", 1, "records per Append call")
	every := fl.Int("every", 0, "print the rate every `K` records (0: ten times)")
	mark := fl.Int("mark", 0, "also report the first `K` records as a result of their own (\"<label> first K\")")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *repo == "" || *batch < 1 {
		return usageError("append -repo DIR -n N [-start I] [-evidence-size 1024] [-products 1] [-releases 50] [-batch 1] [-every K] [-mark K]")
	}
	cat, err := practices.Builtin()
	if err != nil {
		return err
	}
	ly, err := newLayout(cat, *start+*n, *products, *releases, *size)
	if err != nil {
		return err
	}
	if *every == 0 {
		*every = max(1, *n/10)
	}
	if err := c.start(); err != nil {
		return err
	}
	return appendRecords(c, ly, *repo, *start, *n, *batch, *every, *mark)
}

func appendRecords(c *common, ly *layout, repo string, start, n, batch, every, mark int) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "ledgerbench-evidence-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	m := newMeter()
	l, err := openOrInit(ctx, repo, ly.product(0))
	if err != nil {
		return err
	}
	w := &ledger.Writer{Ledger: l}
	var calls []time.Duration
	lap, lapCPU := time.Now(), cpuTime()
	for i := start; i < start+n; i += batch {
		entries := make([]ledger.Entry, 0, batch)
		for j := i; j < min(i+batch, start+n); j++ {
			e, err := ly.entry(j, tmp)
			if err != nil {
				return err
			}
			entries = append(entries, e)
		}
		t := time.Now()
		if _, err := w.Append(ctx, entries); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		calls = append(calls, time.Since(t))
		for _, e := range entries {
			os.Remove(e.Files[0])
		}
		done := i + len(entries) - start
		if mark > 0 && done >= mark && done-len(entries) < mark {
			label := c.label
			if label == "" {
				label = fmt.Sprintf("append %d", n)
			}
			r := m.result(fmt.Sprintf("%s first %d", label, done), done, 0)
			if err := c.reportAs(r); err != nil {
				return err
			}
		}
		if done%every < batch || done == n {
			k := min(every, done)
			fmt.Printf("  %7d records: the last %d at %.2f ms/record wall, %.2f ms/record CPU\n", start+done, k,
				ms(time.Since(lap))/float64(k), ms(cpuTime()-lapCPU)/float64(k))
			lap, lapCPU = time.Now(), cpuTime()
		}
	}
	slices.Sort(calls)
	q := func(f float64) float64 { return ms(calls[int(f*float64(len(calls)-1))]) }
	fmt.Printf("  Append calls of %d record(s): median %.2f ms, p99 %.2f ms, max %.2f ms\n", batch, q(0.5), q(0.99), q(1))
	return c.report(m.result(fmt.Sprintf("append %d", n), n, 0))
}
