package signing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/sigstore/sigstore-go/pkg/sign"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// KeylessOptions configure keyless signing: an ephemeral key, certified by
// Fulcio for the identity in an OIDC token.
type KeylessOptions struct {
	// IDToken is the OIDC identity token (a JWT). Required.
	IDToken string
	// FulcioURL is the Fulcio instance (default DefaultFulcioURL).
	FulcioURL string
	// Transport overrides the HTTP transport (tests).
	Transport http.RoundTripper

	certs sign.CertificateProvider
}

// NewKeylessSigner returns a Signer with a fresh ephemeral key whose
// certificate Fulcio issues for the identity in opts.IDToken. The
// certificate is requested once, on first use, and reused for every
// artifact this Signer signs.
func NewKeylessSigner(opts KeylessOptions) (*Signer, error) {
	if opts.IDToken == "" {
		return nil, errors.New("keyless signing: no OIDC identity token")
	}
	if opts.FulcioURL == "" {
		opts.FulcioURL = DefaultFulcioURL
	}
	s, err := newEphemeralSigner()
	if err != nil {
		return nil, fmt.Errorf("keyless signing: %w", err)
	}
	fulcio := sign.NewFulcio(&sign.FulcioOptions{BaseURL: opts.FulcioURL, Retries: 2, Transport: opts.Transport, UserAgent: "sdlkit"})
	opts.certs = &onceCert{p: fulcio, kp: s}
	s.keyless = &opts
	return s, nil
}

// onceCert asks the provider for a certificate once, with the plain signer:
// Fulcio's proof of possession signs the token subject as a message, which
// the prehashed keypair used for artifacts must not do.
type onceCert struct {
	p    sign.CertificateProvider
	kp   sign.Keypair
	mu   sync.Mutex
	cert []byte
}

func (o *onceCert) GetCertificate(ctx context.Context, _ sign.Keypair, opts *sign.CertificateProviderOptions) ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cert != nil {
		return o.cert, nil
	}
	c, err := o.p.GetCertificate(ctx, o.kp, opts)
	if err != nil {
		return nil, fmt.Errorf("get certificate from fulcio: %w", err)
	}
	o.cert = c
	return c, nil
}

// GitHubActionsToken fetches the workflow's OIDC token with audience
// "sigstore" from the GitHub Actions token service. requestURL and
// requestToken are the values of ACTIONS_ID_TOKEN_REQUEST_URL and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN, present when the job has
// "permissions: id-token: write". The token is never logged.
func GitHubActionsToken(ctx context.Context, requestURL, requestToken string) (string, error) {
	if requestURL == "" || requestToken == "" {
		return "", errors.New("get github actions oidc token: ACTIONS_ID_TOKEN_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_TOKEN not set (the job needs 'permissions: id-token: write')")
	}
	u, err := url.Parse(requestURL)
	if err != nil {
		return "", fmt.Errorf("get github actions oidc token: bad ACTIONS_ID_TOKEN_REQUEST_URL: %w", err)
	}
	q := u.Query()
	q.Set("audience", "sigstore")
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("get github actions oidc token: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+requestToken)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("get github actions oidc token: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("get github actions oidc token: %s", resp.Status)
	}
	var body struct {
		Value string `json:"value"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil || body.Value == "" {
		return "", errors.New("get github actions oidc token: response has no token")
	}
	return body.Value, nil
}

// ReadIDToken returns the OIDC token that ref gives: the contents of the
// file ref when such a file exists (at most 64 KiB, surrounding space
// trimmed), else ref itself. Errors name the file, never the token.
func ReadIDToken(ctx context.Context, ref string) (string, error) {
	if _, err := os.Stat(ref); err != nil {
		return ref, nil
	}
	data, err := readlimit.ReadFile(ctx, ref, tokenKind)
	if err != nil {
		return "", unreadable(err)
	}
	tok := strings.TrimSpace(string(data))
	if tok == "" {
		return "", fmt.Errorf("read oidc token %q: %w: the file is empty", ref, ErrUnreadable)
	}
	return tok, nil
}
