package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sdlkit/sdlkit/practices"
	"github.com/sdlkit/sdlkit/practices/ledger"
)

// verifyCacheKey is the key ledgerbench's verifications are cached under
// (VerifyOptions.CacheKey).
const verifyCacheKey = "ledgerbench"

// runVerify times Verify in process, as 'sdlkit ledger verify' runs it:
// full (the verification cache removed first: the whole history, every
// evidence blob hashed, the cache written at the end) or incremental (one
// record appended before each run, untimed: Verify resumes from the cache,
// one commit behind; the cache is made first when there is none).
func runVerify(c *common, args []string) error {
	fl := c.flags()
	repo := fl.String("repo", "", "the ledger's repository `DIR`")
	mode := fl.String("mode", "full", "full or incremental")
	runs := fl.Int("runs", 5, "timed runs, incremental")
	warm := fl.Bool("warm", false, "full: verify once, untimed, before the timed run (the objects in the page cache, as for the peers' runs after their warm-up)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *repo == "" || *runs < 1 || !slices.Contains([]string{"full", "incremental"}, *mode) {
		return usageError("verify -repo DIR [-mode full|incremental] [-runs 5] [-warm]")
	}
	cat, err := practices.Builtin()
	if err != nil {
		return err
	}
	loc := ledger.Location{Repo: *repo}
	if *mode == "incremental" {
		return verifyIncremental(c, loc, cat, *runs)
	}
	if *warm {
		if err := removeCaches(loc, cat, "verify-*"); err != nil {
			return err
		}
		if _, err := verifyOnce(loc, cat); err != nil {
			return err
		}
	}
	if err := removeCaches(loc, cat, "verify-*"); err != nil {
		return err
	}
	if err := c.start(); err != nil {
		return err
	}
	m := newMeter()
	rep, err := verifyOnce(loc, cat)
	if err != nil {
		return err
	}
	res := m.result("verify", rep.Commits, rep.EvidenceBytes)
	fmt.Printf("  %d commits, %d records, %d evidence files, %.1f MB of evidence\n", rep.Commits, rep.Records, rep.EvidenceFiles, float64(rep.EvidenceBytes)/1e6)
	return c.report(res)
}

// verifyIncremental times runs verifications, each after one more record.
func verifyIncremental(c *common, loc ledger.Location, cat *practices.Catalog, runs int) error {
	if _, err := verifyOnce(loc, cat); err != nil {
		return err
	}
	if err := c.start(); err != nil {
		return err
	}
	return c.timeRuns("verify incremental", runs, func() error { return appendOne(loc, cat) }, func() (int, error) {
		rep, err := verifyOnce(loc, cat)
		if err == nil && rep.Resumed == "" {
			err = errors.New("the verification did not resume from the cache")
		}
		if err != nil {
			return 0, err
		}
		return rep.Commits, nil
	})
}

// verifyOnce opens the ledger and verifies it under verifyCacheKey; a
// problem is an error.
func verifyOnce(loc ledger.Location, cat *practices.Catalog) (*ledger.Report, error) {
	l, err := ledger.Open(loc, cat)
	if err != nil {
		return nil, err
	}
	rep, err := l.Verify(context.Background(), ledger.VerifyOptions{CacheKey: verifyCacheKey})
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, fmt.Errorf("the ledger did not verify: %s", strings.Join(rep.Problems, "; "))
	}
	return rep, nil
}
