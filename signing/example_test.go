package signing_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"

	"github.com/sdlkit/sdlkit/signing"
)

// A supplier signs a firmware image's digest with its key; a customer
// verifies the bundle offline with the public key alone.
func ExampleSigner_SignDigest() {
	ctx := context.Background()
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader) // in practice: signing.LoadSigner(ctx, "release.key", pass)
	s, _ := signing.NewSigner(priv)

	d := signing.DigestBytes([]byte("firmware image 1.2.0\n"))
	b, err := s.SignDigest(ctx, d, signing.SignOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := signing.Verify(b, d, signing.Policy{PublicKey: s.PublicKey()})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.MediaType, res.Content, res.SignedWith)
	// Output: application/vnd.dev.sigstore.bundle.v0.3+json messageSignature key
}
