package main

import (
	"errors"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/practices/ledger"
)

// gitTokenEnv names the variable holding a token for HTTPS remotes; in
// GitHub Actions, GITHUB_TOKEN serves when it is not set.
const gitTokenEnv = "SDLKIT_GIT_TOKEN"

// remoteAuth is the authentication for an HTTPS remote: a token as the
// password of basic authentication, as GitHub and GitLab take it. Other
// transports find their own (an SSH agent).
func remoteAuth(a *app, url string) transport.AuthMethod {
	if url != "" && !strings.HasPrefix(url, "https://") {
		return nil
	}
	tok := a.getenv(gitTokenEnv)
	if tok == "" {
		tok = a.getenv("GITHUB_TOKEN")
	}
	if tok == "" {
		return nil
	}
	return &githttp.BasicAuth{Username: "x-access-token", Password: tok}
}

// syncError classifies sync and clone errors: a remote that is not this
// ledger, or local commits that cannot be replayed, are input errors; a
// remote that kept moving is a failed step to run again.
func syncError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ledger.ErrContended):
		return checkFailed(err, "other pipelines kept pushing: run 'sdlkit ledger sync' again")
	case errors.Is(err, ledger.ErrNotReplayable):
		return inputError(err, "a checkpoint seals the head it was made on: sync first, then checkpoint")
	}
	return ledgerError(err)
}

func newLedgerSyncCmd(a *app, opts *ledgerOptions) *cobra.Command {
	var remote, url, format string
	cmd := &cobra.Command{
		Use:   "sync [--remote origin] [--url URL]",
		Short: "Fetch the remote's ledger, replay this ledger's new records onto it, and push",
		Long: `sync brings the ledger and the remote's copy of its branch together, so that
many pipelines write one ledger: it fetches the remote's branch, replays the
records made here onto it (records are separate files: they never
conflict), pushes (never forced), and moves the local branch only once the
remote took the push. When another pipeline pushed first it waits a random,
growing time and tries again.

HTTPS remotes take a token from $SDLKIT_GIT_TOKEN, else $GITHUB_TOKEN; SSH
remotes use the SSH agent. --url adds the remote when the repository has
none of that name.`,
		Example: `  sdlkit ledger sync
  sdlkit ledger sync --ledger evidence.git --url https://github.com/acme/plc.git`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			l, err := opts.open(ctx, a)
			if err != nil {
				return err
			}
			w, err := opts.writer(ctx, a, l)
			if err != nil {
				return err
			}
			res, err := w.Sync(ctx, ledger.SyncOptions{Remote: remote, URL: url, Auth: remoteAuth(a, url),
				Progress: func(s string) { a.infof("%s", textsafe.Escape(s)) }})
			if err != nil {
				return syncError(err)
			}
			if format == "json" {
				return writeJSON(a.out, res)
			}
			a.infof("ledger %s synced with %s: %d fetched, %d replayed, %d pushed (%d round(s)), head %.12s",
				res.Branch, textsafe.Escape(res.Remote), res.Fetched, res.Replayed, res.Pushed, res.Attempts, res.Head)
			return nil
		},
	}
	cmd.Flags().StringVar(&remote, "remote", ledger.DefaultRemote, "the remote to sync with")
	cmd.Flags().StringVar(&url, "url", "", "the remote's URL, when the repository has no remote of that name")
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}

func newLedgerCloneCmd(a *app, opts *ledgerOptions) *cobra.Command {
	var remote string
	cmd := &cobra.Command{
		Use:   "clone URL",
		Short: "Join an existing ledger: fetch its branch into --ledger (or this repository)",
		Example: `  sdlkit ledger clone https://github.com/acme/plc.git
  sdlkit ledger clone --ledger /srv/evidence.git ssh://git@example.com/acme/evidence.git`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := opts.catalog.load(ctx)
			if err != nil {
				return err
			}
			l, err := ledger.Clone(ctx, opts.location(a), c, ledger.CloneOptions{Remote: remote, URL: args[0], Auth: remoteAuth(a, args[0])})
			if err != nil {
				return syncError(err)
			}
			a.infof("joined the ledger of %s on branch %s of %s", textsafe.Escape(args[0]), l.Branch(), textsafe.Escape(l.GitDir()))
			return nil
		},
	}
	cmd.Flags().StringVar(&remote, "remote", ledger.DefaultRemote, "the name to give the remote")
	return cmd
}
