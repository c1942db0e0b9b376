package gitsign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// fuzzPayload is the commit every fuzzed signature is checked over.
const fuzzPayload = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor Dev <dev@example.com> 1767268800 +0000\ncommitter Dev <dev@example.com> 1767268800 +0000\n\nrecord 1\n\nSeals it.\n"

// seedReader is a deterministic stream of bytes, so that the fuzz keys
// and signatures are the same on every run and a saved crasher still
// reproduces.
type seedReader struct {
	block [32]byte
	buf   []byte
}

func (r *seedReader) Read(p []byte) (int, error) {
	for n := 0; n < len(p); {
		if len(r.buf) == 0 {
			r.block = sha256.Sum256(r.block[:])
			r.buf = r.block[:]
		}
		c := copy(p[n:], r.buf)
		r.buf, n = r.buf[c:], n+c
	}
	return len(p), nil
}

// fuzzKeys are an SSH and an OpenPGP key made the same on every run,
// their allowed-signers files, and signatures over fuzzPayload.
type fuzzKeys struct {
	sshAllowed, pgpAllowed []byte
	sigs                   []string
}

func newFuzzKeys(f testing.TB) *fuzzKeys {
	k := &fuzzKeys{}
	seed := sha256.Sum256([]byte("sdlkit gitsign fuzz key"))
	sshKey, err := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		f.Fatal(err)
	}
	k.sshAllowed = append([]byte(`dev@example.com namespaces="file,git" `), ssh.MarshalAuthorizedKey(sshKey.PublicKey())...)
	for _, h := range []sshsig.HashAlgorithm{sshsig.HashSHA512, sshsig.HashSHA256} {
		sig, err := sshsig.Sign(strings.NewReader(fuzzPayload), sshKey, h, namespace)
		if err != nil {
			f.Fatal(err)
		}
		k.sigs = append(k.sigs, string(sshsig.Armor(sig)))
	}
	wrongNS, err := sshsig.Sign(strings.NewReader(fuzzPayload), sshKey, sshsig.HashSHA512, "file")
	if err != nil {
		f.Fatal(err)
	}
	k.sigs = append(k.sigs, string(sshsig.Armor(wrongNS)))

	created := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := &packet.Config{Rand: &seedReader{block: seed}, Time: func() time.Time { return created }, Algorithm: packet.PubKeyAlgoEdDSA}
	e, err := openpgp.NewEntity("Dev", "", "dev@example.com", cfg)
	if err != nil {
		f.Fatal(err)
	}
	var pub bytes.Buffer
	w, err := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err != nil {
		f.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		f.Fatal(err)
	}
	w.Close()
	k.pgpAllowed = pub.Bytes()
	// Binary mode, as git signs, and text mode, as gpg's textmode option
	// signs.
	for _, sign := range []func(io.Writer, *openpgp.Entity, io.Reader, *packet.Config) error{openpgp.ArmoredDetachSign, openpgp.ArmoredDetachSignText} {
		var sig bytes.Buffer
		if err := sign(&sig, e, strings.NewReader(fuzzPayload), cfg); err != nil {
			f.Fatal(err)
		}
		k.sigs = append(k.sigs, sig.String())
	}
	return k
}

// FuzzParseAllowedSigners reads arbitrary bytes as an allowed-signers
// file. It may not panic; errors are one line naming the file; a file it
// accepts allows a key, and its Verifier refuses what is no signature.
func FuzzParseAllowedSigners(f *testing.F) {
	k := newFuzzKeys(f)
	const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOvN3QwWqqc3+yUe0BDN4hEv3mHzyWO2A5KD7Y7ISXzF c"
	for _, file := range []string{
		"a@example.com " + key,
		"# x\n\na@example.com " + key + "\n",
		`a@example.com namespaces="file" ` + key + "\nb@example.com " + key,
		`a@example.com cert-authority ` + key,
		`a@example.com valid-before="20300101" ` + key,
		"a@example.com",
		string(k.sshAllowed),
		string(k.pgpAllowed),
	} {
		f.Add([]byte(file))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseAllowedSigners("fuzz", data)
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || !strings.Contains(msg, `"fuzz"`) {
				t.Fatalf("error is not one line naming the file: %q", msg)
			}
			return
		}
		if len(v.ssh) == 0 && len(v.pgp) == 0 {
			t.Fatal("accepted a file that allows no key")
		}
		for _, sig := range []string{"-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n", "-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n", "x"} {
			if _, err := v.Verify([]byte(fuzzPayload), sig); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("Verify(%q) = %v, want ErrBadSignature", sig, err)
			}
		}
		for _, sig := range k.sigs {
			if _, err := v.Verify([]byte(fuzzPayload+"!"), sig); err == nil {
				t.Fatal("a signature verified over another payload")
			}
		}
	})
}

// FuzzVerify checks arbitrary signature text over a fixed commit, and over
// another payload, against an SSH and an OpenPGP allowed signer. It may
// not panic; errors are one line wrapping ErrBadSignature; a signature
// that verifies names who made it, and verifies over no other payload.
func FuzzVerify(f *testing.F) {
	k := newFuzzKeys(f)
	sshV, err := ParseAllowedSigners("ssh", k.sshAllowed)
	if err != nil {
		f.Fatal(err)
	}
	pgpV, err := ParseAllowedSigners("pgp", k.pgpAllowed)
	if err != nil {
		f.Fatal(err)
	}
	others := []string{
		fuzzPayload + "!",
		strings.Replace(fuzzPayload, "\n\nrecord", "\r\n\r\nrecord", 1),
		strings.ReplaceAll(fuzzPayload, "\n", "\r\n"),
		strings.TrimSuffix(fuzzPayload, "\n"),
		strings.Replace(fuzzPayload, "Seals it.", "Seals it. ", 1),
	}
	for _, sig := range k.sigs {
		for _, other := range others {
			f.Add(sig, []byte(other))
		}
	}
	f.Add("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n", []byte(fuzzPayload))
	f.Add("-----BEGIN PGP SIGNATURE-----\n\nwnUEABYKAB0=\n-----END PGP SIGNATURE-----\n", []byte(fuzzPayload))
	f.Fuzz(func(t *testing.T, sig string, other []byte) {
		for _, v := range []*Verifier{sshV, pgpV} {
			who, err := v.Verify([]byte(fuzzPayload), sig)
			if err != nil {
				if !errors.Is(err, ErrBadSignature) || strings.ContainsAny(err.Error(), "\r\n") {
					t.Fatalf("Verify = %q, want one line wrapping ErrBadSignature", err)
				}
				continue
			}
			if who == "" {
				t.Fatal("a signature verified and names no signer")
			}
			if bytes.Equal(other, []byte(fuzzPayload)) {
				continue
			}
			if _, err := v.Verify(other, sig); err == nil {
				t.Fatalf("a signature over the commit verifies over %q too", other)
			}
		}
	})
}
