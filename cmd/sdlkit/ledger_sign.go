package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/sdlkit/sdlkit/internal/gitsign"
	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/practices/ledger"
)

// Environment variables for signing the ledger's commits.
const (
	signingKeyEnv      = "SDLKIT_LEDGER_SIGNING_KEY"
	signingPasswordEnv = "SDLKIT_LEDGER_SIGNING_PASSWORD"
)

// writer returns a ledger writer that signs its commits when a key is
// configured.
func (o *ledgerOptions) writer(ctx context.Context, a *app, l *ledger.Ledger) (*ledger.Writer, error) {
	s, err := o.commitSigner(ctx, a, l)
	if err != nil {
		return nil, err
	}
	w := &ledger.Writer{Ledger: l}
	if s != nil {
		w.Signer = s
	}
	return w, nil
}

// commitSigner loads the key the ledger's commits are signed with:
// --signing-key, $SDLKIT_LEDGER_SIGNING_KEY, else git's own configuration
// of SSH commit signing (commit.gpgSign, gpg.format=ssh, user.signingKey).
// It returns nil when none is configured.
func (o *ledgerOptions) commitSigner(ctx context.Context, a *app, l *ledger.Ledger) (gitsign.Signer, error) {
	path := o.signingKey
	if path == "" {
		path = a.getenv(signingKeyEnv)
	}
	if path == "" && l != nil && strings.EqualFold(l.GitConfig("commit", "", "gpgsign"), "true") {
		key := l.GitConfig("user", "", "signingkey")
		if !strings.EqualFold(l.GitConfig("gpg", "", "format"), "ssh") || key == "" || strings.HasPrefix(key, "key::") {
			a.warnf("git asks for signed commits (commit.gpgSign), but sdlkit signs only with a key file: set --signing-key or $%s; ledger commits stay unsigned", signingKeyEnv)
			return nil, nil
		}
		path = strings.TrimSuffix(expandHome(a, key), ".pub")
	}
	if path == "" {
		return nil, nil
	}
	data, err := readlimit.ReadFile(ctx, path, readlimit.Kind{Name: "signing key", Limit: gitsign.MaxKeyFile})
	if err != nil {
		return nil, inputError(err)
	}
	pass := func() ([]byte, error) {
		if pw, ok := a.lookupEnv(signingPasswordEnv); ok {
			return []byte(pw), nil
		}
		return nil, fmt.Errorf("signing key %q is encrypted: set %s", path, signingPasswordEnv)
	}
	s, err := gitsign.ParseSigner(path, data, pass)
	if err != nil {
		return nil, inputError(err)
	}
	return s, nil
}

func expandHome(a *app, p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok && a.getenv("HOME") != "" {
		return filepath.Join(a.getenv("HOME"), rest)
	}
	return p
}

// commitVerifier loads the keys allowed to sign the ledger's commits:
// --allowed-signers, else git's gpg.ssh.allowedSignersFile. It returns nil
// when neither is set (commit signatures are then not checked).
func commitVerifier(ctx context.Context, a *app, l *ledger.Ledger, path string) (ledger.CommitVerifier, error) {
	if path == "" {
		path = expandHome(a, l.GitConfig("gpg", "ssh", "allowedSignersFile"))
	}
	if path == "" {
		return nil, nil
	}
	data, err := readlimit.ReadFile(ctx, path, readlimit.Kind{Name: "allowed signers", Limit: gitsign.MaxKeyFile})
	if err != nil {
		return nil, inputError(err)
	}
	v, err := gitsign.ParseAllowedSigners(path, data)
	if err != nil {
		return nil, inputError(err)
	}
	return v, nil
}
