package signing

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// publicOnly lets ca.GenerateLeafCert certify a public key it only knows
// from a certificate request.
type publicOnly struct{ pub crypto.PublicKey }

func (p publicOnly) Public() crypto.PublicKey { return p.pub }
func (publicOnly) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("public key only")
}

// fakeFulcio is a loopback Fulcio v2 endpoint that checks the proof of
// possession like Fulcio does and issues a leaf from a test CA.
type fakeFulcio struct {
	t        *testing.T
	subject  string
	root     *root.FulcioCertificateAuthority
	interCA  crypto.Signer
	requests atomic.Int32
}

func newFakeFulcio(t *testing.T, subject string) *fakeFulcio {
	rootCert, rootKey, err := ca.GenerateRootCa()
	if err != nil {
		t.Fatal(err)
	}
	inter, interKey, err := ca.GenerateFulcioIntermediate(rootCert, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeFulcio{t: t, subject: subject, interCA: interKey, root: &root.FulcioCertificateAuthority{
		Root: rootCert, Intermediates: []*x509.Certificate{inter}, ValidityPeriodStart: time.Now().Add(-time.Hour), ValidityPeriodEnd: time.Now().Add(time.Hour),
	}}
}

func (f *fakeFulcio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	var req struct {
		PublicKeyRequest struct {
			PublicKey struct {
				Content string `json:"content"`
			} `json:"publicKey"`
			ProofOfPossession string `json:"proofOfPossession"`
		} `json:"publicKeyRequest"`
	}
	if r.URL.Path != "/api/v2/signingCert" || json.NewDecoder(r.Body).Decode(&req) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey([]byte(req.PublicKeyRequest.PublicKey.Content))
	if err != nil {
		http.Error(w, "bad key", http.StatusBadRequest)
		return
	}
	pop, _ := base64.StdEncoding.DecodeString(req.PublicKeyRequest.ProofOfPossession)
	sum := sha256.Sum256([]byte(f.subject))
	if !ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), sum[:], pop) {
		http.Error(w, "proof of possession does not verify", http.StatusBadRequest)
		return
	}
	leaf, err := ca.GenerateLeafCert(f.subject, "https://issuer.example", time.Now().Add(-time.Minute), publicOnly{pub}, f.root.Intermediates[0], f.interCA)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}))
	var resp struct {
		Embedded struct {
			Chain struct {
				Certificates []string `json:"certificates"`
			} `json:"chain"`
		} `json:"signedCertificateEmbeddedSct"`
	}
	resp.Embedded.Chain.Certificates = []string{certPEM}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// testToken is an unsigned JWT whose subject is sub; Fulcio, not the
// client, checks tokens.
func testToken(sub string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"sub":"`+sub+`","iss":"https://issuer.example"}`)) + ".sig"
}

// TestKeylessSignFulcio signs two artifacts keylessly against a loopback
// Fulcio: one certificate request, a proof of possession Fulcio accepts, and
// bundles that carry the certificate. Without a transparency log entry the
// certificate bundle must not verify (fail closed).
func TestKeylessSignFulcio(t *testing.T) {
	t.Parallel()
	const subject = "release-bot@acme.example"
	fulcio := newFakeFulcio(t, subject)
	srv := httptest.NewServer(fulcio)
	defer srv.Close()

	s, err := NewKeylessSigner(KeylessOptions{IDToken: testToken(subject), FulcioURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	var bundles []*Bundle
	for _, a := range []string{"fw-a.bin", "fw-b.bin"} {
		b, err := s.SignDigest(context.Background(), DigestBytes([]byte(a)), SignOptions{})
		if err != nil {
			t.Fatalf("sign %s: %v", a, err)
		}
		bundles = append(bundles, b)
	}
	if got := fulcio.requests.Load(); got != 1 {
		t.Errorf("fulcio got %d certificate requests, want 1 for the signer", got)
	}
	data, err := bundles[0].MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"certificate"`) {
		t.Fatalf("bundle has no certificate: %s", data)
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, []root.CertificateAuthority{fulcio.root}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(bundles[0], DigestBytes([]byte("fw-a.bin")), Policy{TrustedRoot: tr, Identity: &Identity{SAN: subject, Issuer: "https://issuer.example"}, InsecureIgnoreSCT: true})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "log") {
		t.Fatalf("certificate bundle without log entry: want ErrInvalid about the log, got %v", err)
	}
}

func TestGitHubActionsToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer req-token" || r.URL.Query().Get("audience") != "sigstore" {
			http.Error(w, "denied", http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, `{"value":"the.oidc.token"}`)
	}))
	defer srv.Close()
	tok, err := GitHubActionsToken(context.Background(), srv.URL+"/token?api-version=2.0", "req-token")
	if err != nil || tok != "the.oidc.token" {
		t.Fatalf("got %q, %v", tok, err)
	}
	_, err = GitHubActionsToken(context.Background(), srv.URL, "wrong-req-token")
	if err == nil || strings.Contains(err.Error(), "wrong-req-token") {
		t.Fatalf("denied request: got %v (must fail and not show the request token)", err)
	}
	if _, err := GitHubActionsToken(context.Background(), "", ""); err == nil {
		t.Fatal("no environment: want error")
	}
}
