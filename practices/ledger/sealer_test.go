package ledger

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

// The test Sealer and Unsealer sign checkpoints with real ed25519 keys into
// bundles of the shape cmd/sdlkit writes with Sigstore: a DSSE envelope of an
// in-toto statement whose predicate is the checkpoint. They stand in for the
// signing package, which practices/ledger must not import.

const (
	inTotoPayloadType   = "application/vnd.in-toto+json"
	inTotoStatementType = "https://in-toto.io/Statement/v1"
	testBundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
)

// testKey is an ed25519 key that seals checkpoints; its name is part of the
// signer the Unsealer reports.
type testKey struct {
	name string
	priv ed25519.PrivateKey
}

// newTestKey derives an ed25519 key from name, so that a writer process and
// the test that verifies its ledger hold the same key.
func newTestKey(name string) *testKey {
	seed := sha256.Sum256([]byte("sdlkit ledger test key " + name))
	return &testKey{name: name, priv: ed25519.NewKeyFromSeed(seed[:])}
}

// keyID is the hex SHA-256 of the public key, cut to 16 digits.
func (k *testKey) keyID() string {
	sum := sha256.Sum256(k.priv.Public().(ed25519.PublicKey))
	return hex.EncodeToString(sum[:8])
}

// signer is what the Unsealer reports as the bundle's signer.
func (k *testKey) signer() string { return k.name + " (ed25519 " + k.keyID() + ")" }

type testBundle struct {
	MediaType            string `json:"mediaType"`
	VerificationMaterial struct {
		PublicKey struct {
			Hint string `json:"hint"`
		} `json:"publicKey"`
	} `json:"verificationMaterial"`
	DSSEEnvelope testEnvelope `json:"dsseEnvelope"`
}

type testEnvelope struct {
	Payload     []byte         `json:"payload"`
	PayloadType string         `json:"payloadType"`
	Signatures  []testEnvelSig `json:"signatures"`
}

type testEnvelSig struct {
	Sig   []byte `json:"sig"`
	KeyID string `json:"keyid,omitempty"`
}

type testStatement struct {
	Type          string          `json:"_type"`
	Subject       []testSubject   `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

type testSubject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// pae is DSSE's pre-authentication encoding, what the signature covers.
func pae(payloadType string, payload []byte) []byte {
	return fmt.Appendf(nil, "DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(payload), payload)
}

// Seal implements Sealer: it signs an in-toto statement whose predicate is
// predicate and whose subject's SHA-256 is the predicate's.
func (k *testKey) Seal(_ context.Context, predicate []byte) ([]byte, error) {
	sum := sha256.Sum256(predicate)
	st := testStatement{
		Type:          inTotoStatementType,
		Subject:       []testSubject{{Name: "sdlkit-ledger-checkpoint", Digest: map[string]string{"sha256": hex.EncodeToString(sum[:])}}},
		PredicateType: CheckpointPredicateType,
		Predicate:     predicate,
	}
	payload, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("seal checkpoint: %w", err)
	}
	var b testBundle
	b.MediaType = testBundleMediaType
	b.VerificationMaterial.PublicKey.Hint = k.keyID()
	b.DSSEEnvelope = testEnvelope{
		Payload:     payload,
		PayloadType: inTotoPayloadType,
		Signatures:  []testEnvelSig{{Sig: ed25519.Sign(k.priv, pae(inTotoPayloadType, payload)), KeyID: k.keyID()}},
	}
	return json.Marshal(b)
}

// sealCheckpoint seals cp as given, for tests that forge a checkpoint a
// writer would never make (a broken chain, the wrong head).
func (k *testKey) sealCheckpoint(t testing.TB, cp Checkpoint) []byte {
	t.Helper()
	pred, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	b, err := k.Seal(context.Background(), pred)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testUnsealer verifies bundles signed by one testKey.
type testUnsealer struct{ key *testKey }

// Unsealer returns the Unsealer that trusts k alone.
func (k *testKey) Unsealer() Unsealer { return testUnsealer{key: k} }

// errBadSignature: a bundle's signature is not the trusted key's.
var errBadSignature = errors.New("signature not made by the trusted key")

// Unseal implements Unsealer: the envelope's signature must verify with the
// trusted public key over the DSSE PAE of the payload, and the statement
// must be a checkpoint whose subject digest is its predicate's.
func (u testUnsealer) Unseal(_ context.Context, bundle []byte) ([]byte, string, error) {
	var b testBundle
	if err := json.Unmarshal(bundle, &b); err != nil {
		return nil, "", fmt.Errorf("read checkpoint bundle: %w", err)
	}
	env := b.DSSEEnvelope
	if env.PayloadType != inTotoPayloadType || len(env.Signatures) == 0 {
		return nil, "", fmt.Errorf("read checkpoint bundle: not a signed in-toto envelope")
	}
	pub := u.key.priv.Public().(ed25519.PublicKey)
	msg := pae(env.PayloadType, env.Payload)
	ok := false
	for _, s := range env.Signatures {
		ok = ok || ed25519.Verify(pub, msg, s.Sig)
	}
	if !ok {
		return nil, "", fmt.Errorf("verify checkpoint bundle: %w %s", errBadSignature, u.key.signer())
	}
	var st testStatement
	if err := json.Unmarshal(env.Payload, &st); err != nil {
		return nil, "", fmt.Errorf("verify checkpoint bundle: statement: %w", err)
	}
	if st.Type != inTotoStatementType || st.PredicateType != CheckpointPredicateType || len(st.Subject) != 1 {
		return nil, "", fmt.Errorf("verify checkpoint bundle: not a checkpoint statement (predicate type %q)", st.PredicateType)
	}
	sum := sha256.Sum256(st.Predicate)
	if st.Subject[0].Digest["sha256"] != hex.EncodeToString(sum[:]) {
		return nil, "", fmt.Errorf("verify checkpoint bundle: subject digest is not the predicate's")
	}
	return bytes.Clone(st.Predicate), u.key.signer(), nil
}

func TestTestSealerRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := newTestKey("a"), newTestKey("b")
	pred := []byte(`{"format":"x"}`)
	bundle, err := a.Seal(ctx, pred)
	if err != nil {
		t.Fatal(err)
	}
	got, signer, err := a.Unsealer().Unseal(ctx, bundle)
	if err != nil || !bytes.Equal(got, pred) || signer != a.signer() {
		t.Fatalf("Unseal = %s, %q, %v; want %s, %q", got, signer, err, pred, a.signer())
	}
	// The package reads the same predicate without the key.
	if got, err := unverifiedPredicate(bundle); err != nil || !bytes.Equal(got, pred) {
		t.Fatalf("unverifiedPredicate = %s, %v", got, err)
	}
	if _, _, err := b.Unsealer().Unseal(ctx, bundle); !errors.Is(err, errBadSignature) {
		t.Fatalf("Unseal with another key: %v, want %v", err, errBadSignature)
	}
	// A payload changed after signing fails.
	var tb testBundle
	if err := json.Unmarshal(bundle, &tb); err != nil {
		t.Fatal(err)
	}
	tb.DSSEEnvelope.Payload = bytes.Replace(tb.DSSEEnvelope.Payload, []byte(`"x"`), []byte(`"y"`), 1)
	forged, err := json.Marshal(tb)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Unsealer().Unseal(ctx, forged); !errors.Is(err, errBadSignature) {
		t.Fatalf("Unseal of a changed payload: %v, want %v", err, errBadSignature)
	}
}
