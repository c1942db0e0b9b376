package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sdlkit/sdlkit/internal/progress"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// stdio holds the three standard streams, so that tests can run the whole
// CLI in process.
type stdio struct {
	in  io.Reader
	out io.Writer
	err io.Writer
}

// app is what every command shares: the streams, the environment and how to
// talk to the user. It is built once per run; there is no global state.
type app struct {
	stdio
	getenv func(string) string
	// lookupEnv tells a variable set to "" from one not set.
	lookupEnv func(string) (string, bool)
}

// run builds the command tree, executes it with args and returns the exit code.
func run(ctx context.Context, args []string, streams stdio) int {
	return runEnv(ctx, args, streams, os.LookupEnv)
}

// runEnv is run with the environment read through lookupEnv, so that tests
// run the CLI in parallel, each with its own environment.
func runEnv(ctx context.Context, args []string, streams stdio, lookupEnv func(string) (string, bool)) int {
	// Libraries (osv-scalibr's extractors) log to the standard logger what
	// sdlkit reports itself as errors; their raw lines would break the rule
	// that every message on stderr is sdlkit's.
	log.SetOutput(io.Discard)
	getenv := func(k string) string { v, _ := lookupEnv(k); return v }
	a := &app{stdio: streams, getenv: getenv, lookupEnv: lookupEnv}
	root := newRootCmd(a)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return a.report(ctx, err)
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "sdlkit",
		Short: "Run the IEC 62443-4-1 secure development lifecycle",
		Long: `sdlkit runs the secure development lifecycle of IEC 62443-4-1 for suppliers of
industrial control systems: it makes SBOMs, signs releases and attestations as
Sigstore bundles that customers verify offline, and holds the standard's practice
catalog. Checking SBOMs against OSV advisories and recording every result as
evidence against the requirements come next.

Data goes to stdout, messages to stderr. See 'sdlkit help exit-codes'.`,
		Version:       versionString(),
		SilenceErrors: true,
		SilenceUsage:  true,
		// Without subcommand, print help and succeed, like most CLIs.
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		},
		Args: cobra.ArbitraryArgs,
		// Cobra checks flag groups (--key or --keyless, not both) after
		// this hook, and returns its findings unclassified; checking them
		// here first makes them usage errors naming the command.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmd.ValidateRequiredFlags(); err != nil {
				return usageErrorf("%s: %v", cmd.CommandPath(), err)
			}
			if err := cmd.ValidateFlagGroups(); err != nil {
				return usageErrorf("%s: %v", cmd.CommandPath(), err)
			}
			return nil
		},
	}
	root.SetIn(a.in)
	root.SetOut(a.out)
	root.SetErr(a.err)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageErrorf("%s: %v", cmd.CommandPath(), err)
	})
	root.CompletionOptions.HiddenDefaultCmd = true
	root.AddCommand(
		newVersionCmd(a),
		newExitCodesTopic(),
		newPracticesCmd(a),
		newKeyCmd(a),
		newSignCmd(a),
		newAttestCmd(a),
		newVerifyCmd(a),
		newSBOMCmd(a),
		newReleaseCmd(a),
		newAdvisoriesCmd(a),
		newScanCmd(a),
		newVEXCmd(a),
		newLedgerCmd(a),
		newPolicyCmd(a),
		newInitCmd(a),
		newRunCmd(a),
		newAdvisoryCmd(a),
	)
	return root
}

// isTerminal reports whether w is a terminal, so that tables and progress are
// shown to people and plain output goes to pipes and CI logs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress starts a progress meter on stderr for people at a terminal; in
// pipes and CI (CI set) it is a nil meter that prints nothing.
func (a *app) progress(label string) *progress.Meter {
	return progress.Start(a.err, isTerminal(a.err) && a.getenv("CI") == "", label)
}

// progressCount is progress for counts of things (records) rather than
// bytes.
func (a *app) progressCount(label, unit string) *progress.Meter {
	return progress.StartCount(a.err, isTerminal(a.err) && a.getenv("CI") == "", label, unit)
}

// warnf prints a warning to stderr, prefixed as every message is.
func (a *app) warnf(format string, args ...any) {
	fmt.Fprintf(a.err, "sdlkit: warning: "+format+"\n", args...)
}

// infof prints a message to stderr.
func (a *app) infof(format string, args ...any) {
	fmt.Fprintf(a.err, "sdlkit: "+format+"\n", args...)
}

// report prints err as one line (plus hints) and maps it to an exit code.
func (a *app) report(ctx context.Context, err error) int {
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		code = exitInterrupted
	}
	fmt.Fprintf(a.err, "sdlkit: error: %s\n", oneLine(err.Error()))
	var h interface{ Hints() []string }
	if errors.As(err, &h) {
		for _, hint := range h.Hints() {
			fmt.Fprintf(a.err, "sdlkit: hint: %s\n", oneLine(hint))
		}
	}
	return code
}

// oneLine folds a multi-line message, so that each error stays one line that
// log scrapers and people can read, and escapes control characters and
// invalid UTF-8 (from file names, file contents), so that no message can
// move the cursor or forge a line on a terminal.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unicode.IsControl(r):
			b.WriteString(strings.Trim(strconv.QuoteRune(r), "'"))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
