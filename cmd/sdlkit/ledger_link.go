package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sdlkit/sdlkit/practices"
	"github.com/sdlkit/sdlkit/practices/ledger"
)

// versionEnv names the variable that gives the release recorded evidence
// is for, when a command does not know it itself.
const versionEnv = "SDLKIT_VERSION"

// recordOptions are the flags of the commands that record their own output
// in the ledger: sbom generate, sign, attest, release sign, scan, vex add.
type recordOptions struct {
	record  bool
	version string
	ledger  ledgerOptions
	flags   *pflag.FlagSet
}

func (o *recordOptions) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.record, "record", false, "record the output in the evidence ledger (default true when $"+ledgerEnv+" is set)")
	f.StringVar(&o.version, "record-version", "", "the release the recorded evidence is for (default: the product's version where known, else $"+versionEnv+")")
	f.StringVar(&o.ledger.path, "ledger", "", "the ledger's repository for --record (default $"+ledgerEnv+", else the repository holding the working directory)")
	o.ledger.branch = ledger.DefaultBranch
	o.flags = f
}

// open opens the ledger when the command records, before it does its work,
// so that a missing ledger fails the command before anything is written.
// It returns nil when the command does not record.
func (o *recordOptions) open(ctx context.Context, a *app) (*ledger.Ledger, error) {
	on := a.getenv(ledgerEnv) != "" || o.ledger.path != ""
	if o.flags != nil && o.flags.Changed("record") {
		on = o.record
	}
	if !on {
		return nil, nil
	}
	return o.ledger.open(ctx, a)
}

// evidence is what a command records about its output.
type evidence struct {
	kind     string
	producer string
	// version is the product version the command knows (see
	// releaseVersion).
	version string
	subject *ledger.Subject
	summary string
	facts   map[string]string
	files   []string
	blobs   []ledger.Blob
}

// releaseVersion is the release evidence is for: --record-version, else
// what the command knows, else $SDLKIT_VERSION.
func (o *recordOptions) releaseVersion(a *app, known string) string {
	switch {
	case o.version != "":
		return o.version
	case known != "":
		return known
	}
	return a.getenv(versionEnv)
}

// append records evs in l, one record each, against every requirement the
// catalog maps their kind to, and says so on stderr.
func (o *recordOptions) append(ctx context.Context, a *app, l *ledger.Ledger, evs ...evidence) error {
	if l == nil || len(evs) == 0 {
		return nil
	}
	entries := make([]ledger.Entry, len(evs))
	for i, ev := range evs {
		reqs := requirementsFor(l.Catalog(), ev.kind)
		if len(reqs) == 0 {
			return inputError(fmt.Errorf("record %s: no requirement of the catalog accepts %s evidence", ev.producer, ev.kind))
		}
		entries[i] = ledger.Entry{
			Record: ledger.Record{Time: recordTime(a), Actor: a.actor(l), Version: o.releaseVersion(a, ev.version),
				Requirements: reqs, Kind: ev.kind, Subject: ev.subject, Summary: ev.summary, Producer: ev.producer, Facts: ev.facts},
			Files: ev.files, Blobs: ev.blobs,
		}
	}
	w, err := o.ledger.writer(ctx, a, l)
	if err != nil {
		return err
	}
	recs, err := w.Append(ctx, entries)
	if err != nil {
		return ledgerError(err)
	}
	for _, r := range recs {
		a.infof("recorded %s %s for %s in the ledger (%s)", r.Kind, r.ID, strings.Join(r.Requirements, ", "), l.Branch())
	}
	return nil
}

// requirementsFor lists the catalog's requirements that accept kind.
func requirementsFor(c *practices.Catalog, kind string) []string {
	var ids []string
	for _, r := range c.Requirements {
		for _, k := range r.Evidence {
			if k == kind {
				ids = append(ids, r.ID)
				break
			}
		}
	}
	return ids
}
