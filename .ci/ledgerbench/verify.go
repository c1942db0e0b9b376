package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/sdlkit/sdlkit/practices"
	"github.com/sdlkit/sdlkit/practices/ledger"
)

// runVerify times Verify in process: the whole history, every evidence
// blob hashed.
func runVerify(c *common, args []string) error {
	fl := c.flags()
	repo := fl.String("repo", "", "the ledger's repository `DIR`")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *repo == "" {
		return usageError("verify -repo DIR")
	}
	cat, err := practices.Builtin()
	if err != nil {
		return err
	}
	if err := c.start(); err != nil {
		return err
	}
	m := newMeter()
	l, err := ledger.Open(ledger.Location{Repo: *repo}, cat)
	if err != nil {
		return err
	}
	rep, err := l.Verify(context.Background(), ledger.VerifyOptions{})
	if err != nil {
		return err
	}
	res := m.result("verify", rep.Commits, rep.EvidenceBytes)
	fmt.Printf("  %d commits, %d records, %d evidence files, %.1f MB of evidence\n", rep.Commits, rep.Records, rep.EvidenceFiles, float64(rep.EvidenceBytes)/1e6)
	if !rep.OK() {
		return fmt.Errorf("the ledger did not verify: %s", strings.Join(rep.Problems, "; "))
	}
	return c.report(res)
}
