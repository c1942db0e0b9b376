package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sdlkit/sdlkit/signing"
)

// passwordEnv names the environment variable that holds the private key
// password in CI and scripts.
const passwordEnv = "SDLKIT_PASSWORD"

// signerOptions are the flags of every command that signs: sign, attest and
// release sign.
type signerOptions struct {
	key        string
	keyless    bool
	tlogUpload bool
	fulcioURL  string
	rekorURL   string
	oidcToken  string
}

func (o *signerOptions) register(cmd *cobra.Command) {
	o.registerOptional(cmd)
	cmd.MarkFlagsOneRequired("key", "keyless")
}

// registerOptional registers the signing flags of a command that may sign
// and need not.
func (o *signerOptions) registerOptional(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "sign with this private key file (cosign format) or KMS URI (awskms://, gcpkms://, azurekms://, hashivault://)")
	f.BoolVar(&o.keyless, "keyless", false, "sign with a short-lived Fulcio certificate for the CI workflow's OIDC identity (GitHub Actions)")
	f.BoolVar(&o.tlogUpload, "tlog-upload", false, "record the signature in the Rekor transparency log (default true with --keyless)")
	f.StringVar(&o.fulcioURL, "fulcio-url", signing.DefaultFulcioURL, "Fulcio instance for --keyless")
	f.StringVar(&o.rekorURL, "rekor-url", signing.DefaultRekorURL, "Rekor instance for --tlog-upload")
	f.StringVar(&o.oidcToken, "oidc-token", "", "OIDC identity token for --keyless, or a file holding it (default: the GitHub Actions token)")
	for _, keyless := range []string{"keyless", "oidc-token", "fulcio-url"} {
		cmd.MarkFlagsMutuallyExclusive("key", keyless)
	}
}

// check validates what flag groups cannot: an empty --key, and it turns
// the log on for --keyless unless --tlog-upload says otherwise.
func (o *signerOptions) check(cmd *cobra.Command) error {
	if !o.keyless && o.key == "" {
		return usageErrorf("%s: give --key KEY (a file or KMS URI) or --keyless", cmd.CommandPath())
	}
	if o.keyless && !cmd.Flags().Changed("tlog-upload") {
		o.tlogUpload = true
	}
	return nil
}

// inputs are the files the signer reads: the key file, the OIDC token
// file. No output may replace them.
func (o *signerOptions) inputs() []namedPath {
	var in []namedPath
	if o.key != "" && !signing.IsKMS(o.key) {
		in = append(in, namedPath{"key", o.key})
	}
	if o.oidcToken != "" {
		if _, err := os.Stat(o.oidcToken); err == nil {
			in = append(in, namedPath{"oidc token", o.oidcToken})
		}
	}
	return in
}

// signOptions returns the per-signature options.
func (o *signerOptions) signOptions() signing.SignOptions {
	return signing.SignOptions{TlogUpload: o.tlogUpload, RekorURL: o.rekorURL}
}

// signer loads the key or starts a keyless signer.
func (o *signerOptions) signer(ctx context.Context, a *app) (*signing.Signer, error) {
	if !o.keyless {
		s, err := signing.LoadSigner(ctx, o.key, a.passwordFunc())
		return s, keyError(err)
	}
	tok, err := o.token(ctx, a)
	if err != nil {
		return nil, err
	}
	s, err := signing.NewKeylessSigner(signing.KeylessOptions{IDToken: tok, FulcioURL: o.fulcioURL})
	if err != nil {
		return nil, inputError(err)
	}
	return s, nil
}

// token returns the OIDC token: --oidc-token (a file holding the token when
// one of that name exists, else the token itself), else the GitHub Actions
// token service. The token never appears in a message.
func (o *signerOptions) token(ctx context.Context, a *app) (string, error) {
	if o.oidcToken != "" {
		tok, err := signing.ReadIDToken(ctx, o.oidcToken)
		if err != nil {
			return "", inputError(err)
		}
		return tok, nil
	}
	tok, err := signing.GitHubActionsToken(ctx, a.getenv("ACTIONS_ID_TOKEN_REQUEST_URL"), a.getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))
	if err != nil {
		return "", inputError(err, "outside GitHub Actions pass --oidc-token, or sign with --key")
	}
	return tok, nil
}

// keyError classifies errors from loading a key: all are input errors, each
// with the hint that helps.
func keyError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, signing.ErrNoPassword):
		return inputError(err, "set "+passwordEnv+" or run on a terminal to be asked")
	case errors.Is(err, signing.ErrWrongPassword):
		return inputError(err, "check "+passwordEnv+" or the password typed")
	case errors.Is(err, signing.ErrKeyType):
		return inputError(err, "'sdlkit key generate' makes a key pair; 'sdlkit key public KEY' prints the public key")
	}
	return inputError(err)
}

// passwordFunc reads the key password from SDLKIT_PASSWORD, or asks on the
// terminal without echo (twice for a new key). It never prompts when stdin
// is not a terminal.
func (a *app) passwordFunc() signing.PasswordFunc {
	return func(confirm bool) ([]byte, error) {
		env, set := a.lookupEnv(passwordEnv)
		if env != "" {
			return []byte(env), nil
		}
		f, ok := a.in.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			state := "is not set"
			if set {
				state = "is set but empty"
			}
			return nil, fmt.Errorf("%w: %s %s and stdin is not a terminal", signing.ErrNoPassword, passwordEnv, state)
		}
		pw, err := a.readPassword(f, "Enter password for private key: ")
		if err != nil || !confirm {
			return pw, err
		}
		again, err := a.readPassword(f, "Enter password again: ")
		if err != nil {
			return nil, err
		}
		if string(pw) != string(again) {
			return nil, errors.New("the passwords do not match")
		}
		return pw, nil
	}
}

func (a *app) readPassword(f *os.File, prompt string) ([]byte, error) {
	fmt.Fprint(a.err, prompt)
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(a.err)
	if err != nil {
		return nil, fmt.Errorf("read password: %w", err)
	}
	return pw, nil
}
