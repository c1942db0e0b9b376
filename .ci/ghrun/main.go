// Command ghrun runs a reusable GitHub Actions workflow's jobs on this
// machine, step by step, so that a broken step fails in sdlkit's CI and not
// in a supplier's release.
//
//	ghrun run --repo DIR --workflow .github/workflows/sdlkit-release.yml --dir OUT \
//	    [--ref REF] [--repository OWNER/NAME] [--event NAME] \
//	    [--input NAME=VALUE]... [--secret NAME=VALUE]... [--artifact NAME=DIR]... \
//	    [--summary FILE]
//	ghrun lint-action ACTION.yml...
//
// run reads the workflow at REF of the repository DIR (default: its HEAD)
// and runs its jobs in file order, each in a fresh workspace under OUT:
// run: steps with their env: in bash -eo pipefail as Actions does (${{ }}
// resolved from the inputs' defaults and --input values, env, github,
// runner, secrets, steps and needs; $GITHUB_OUTPUT, $GITHUB_ENV,
// $GITHUB_PATH, $GITHUB_STEP_SUMMARY), if: with success(), failure() and
// always(), and uses: steps replaced by local equivalents (actions.go); an
// action without one fails the run. --artifact seeds the run's artifact
// store with a folder, as a caller's earlier job would have uploaded it. It refuses a run: script holding
// ${{ }} (script injection), an action not pinned by commit SHA and a
// workflow or job without permissions. Jobs with id-token: write get a
// loopback stand-in for the OIDC token endpoint. The workflow's outputs are
// printed as JSON; the exit status is 1 when a job failed, 2 when the
// workflow cannot be run. Steps see this process's environment less its
// GITHUB_*, RUNNER_*, ACTIONS_* and SDLKIT_* variables, with an empty HOME,
// as on a fresh runner.
//
// lint-action checks a composite action's run: steps with shellcheck (which
// actionlint does not look at), and that its uses: are pinned by SHA.
//
// What ghrun does not do: matrices, containers, services, called
// workflows, cancellation, job concurrency, or anything on the network.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: ghrun run … | ghrun lint-action ACTION.yml…")
		return 2
	}
	switch args[0] {
	case "run":
		return runCmd(ctx, args[1:], stdout, stderr)
	case "lint-action":
		return lintActionCmd(ctx, args[1:], stderr)
	}
	fmt.Fprintf(stderr, "ghrun: unknown command %q\n", args[0])
	return 2
}

// pairs is a repeatable NAME=VALUE flag.
type pairs map[string]string

func (p pairs) String() string { return "" }
func (p pairs) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return errors.New("want NAME=VALUE")
	}
	p[k] = v
	return nil
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opt := Options{Inputs: pairs{}, Secrets: pairs{}, Artifacts: pairs{}, Stderr: stderr}
	fs := flag.NewFlagSet("ghrun run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opt.Repo, "repo", "", "the repository to run (a path git can clone)")
	fs.StringVar(&opt.WorkflowPath, "workflow", "", "the workflow's path in the repository")
	fs.StringVar(&opt.Dir, "dir", "", "where the jobs' workspaces, temp dirs and artifacts go")
	fs.StringVar(&opt.Ref, "ref", "", "the ref the run is for (refs/heads/… or refs/tags/…; default: the repository's HEAD branch)")
	fs.StringVar(&opt.Repository, "repository", "sdlkit/sdlkit", "github.repository")
	fs.StringVar(&opt.Event, "event", "push", "github.event_name")
	fs.Var(pairs(opt.Inputs), "input", "an input's value, NAME=VALUE (repeatable)")
	fs.Var(pairs(opt.Secrets), "secret", "a secret's value, NAME=VALUE (repeatable)")
	fs.Var(pairs(opt.Artifacts), "artifact", "an artifact the caller uploaded before, NAME=DIR (repeatable)")
	summary := fs.String("summary", "", "write the jobs' step summaries to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if opt.Repo == "" || opt.WorkflowPath == "" || opt.Dir == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "ghrun run: --repo, --workflow and --dir are required; no arguments")
		return 2
	}
	if opt.Ref == "" {
		head, err := gitOutput(ctx, opt.Repo, "symbolic-ref", "HEAD")
		if err != nil {
			fmt.Fprintf(stderr, "ghrun: %s has no HEAD branch; give --ref\n", opt.Repo)
			return 2
		}
		opt.Ref = head
	}
	res, err := Run(ctx, opt)
	if err != nil {
		fmt.Fprintf(stderr, "ghrun: %v\n", err)
		return 2
	}
	if *summary != "" {
		if err := os.WriteFile(*summary, []byte(res.Summary), 0o644); err != nil {
			fmt.Fprintf(stderr, "ghrun: %v\n", err)
			return 2
		}
	}
	out := map[string]any{"outputs": res.Outputs, "jobs": res.Jobs}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return 2
	}
	if !res.OK {
		fmt.Fprintln(stderr, "ghrun: a job failed")
		return 1
	}
	return 0
}
