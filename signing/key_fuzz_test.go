package signing

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseKey feeds arbitrary bytes to the key readers. Neither may panic;
// every error must be one line, of a kind the commands classify, and free
// of the password and of key material; a public key that parses must
// survive a round trip through PEM.
func FuzzParseKey(f *testing.F) {
	const pw = "Fuzz-k3y-pw"
	kp, err := GenerateKey(StaticPassword([]byte(pw)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(kp.PrivatePEM)
	f.Add(kp.PublicPEM)
	f.Add(append(append([]byte{}, kp.PublicPEM...), kp.PublicPEM...))
	f.Add(kp.PrivatePEM[:len(kp.PrivatePEM)/2])
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("hello"))
	paths, _ := filepath.Glob(filepath.Join("testdata", "cosign", "*.key"))
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	classified := func(t *testing.T, err error, kinds ...error) {
		t.Helper()
		msg := err.Error()
		if strings.Contains(msg, "\n") || strings.Contains(msg, pw) || strings.Contains(msg, "-----") {
			t.Fatalf("error is not one clean line: %q", msg)
		}
		for _, k := range kinds {
			if errors.Is(err, k) {
				return
			}
		}
		t.Fatalf("unclassified error: %v", err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pub, err := ParsePublicKey("fuzz.pub", data)
		if err != nil {
			classified(t, err, ErrUnreadable, ErrKeyType)
		} else {
			pem, err := MarshalPublicKey(pub)
			if err != nil {
				t.Fatalf("MarshalPublicKey() of a parsed key = %v", err)
			}
			if _, err := ParsePublicKey("again.pub", pem); err != nil {
				t.Fatalf("ParsePublicKey(MarshalPublicKey()) = %v", err)
			}
		}
		if _, err := ParsePrivateKey("fuzz.key", data, StaticPassword([]byte(pw))); err != nil {
			classified(t, err, ErrUnreadable, ErrKeyType, ErrWrongPassword)
		}
	})
}
