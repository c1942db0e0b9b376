// Package gitsign signs and verifies git commits the way git does: SSH
// signatures (git's gpg.format=ssh, the "sshsig" format of OpenSSH, made and
// checked with github.com/hiddeco/sshsig) and OpenPGP signatures (made and
// checked with github.com/ProtonMail/go-crypto, the library go-git uses), so
// that "git verify-commit" accepts what sdlkit signs and sdlkit accepts what
// git signs. No ssh-keygen or gpg binary is needed.
//
// Written here by hand, because no library does it: reading git's
// allowed-signers file (gpg.ssh.allowedSignersFile, the format of
// ssh-keygen(1) "ALLOWED SIGNERS"): principals, options and a key per line.
package gitsign

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// namespace is the sshsig namespace git uses for commits and tags.
const namespace = "git"

// MaxKeyFile bounds a key or allowed-signers file.
const MaxKeyFile = 1 << 20

// ErrBadSignature marks a signature that does not verify.
var ErrBadSignature = errors.New("bad commit signature")

// Signer signs commits. Sign returns the armored signature git puts in the
// commit's gpgsig header.
type Signer interface {
	Sign(message io.Reader) ([]byte, error)
}

// sshSigner signs with an SSH private key.
type sshSigner struct{ s ssh.Signer }

func (s sshSigner) Sign(message io.Reader) ([]byte, error) {
	sig, err := sshsig.Sign(message, s.s, sshsig.HashSHA512, namespace)
	if err != nil {
		return nil, err
	}
	return sshsig.Armor(sig), nil
}

// pgpSigner signs with an OpenPGP private key.
type pgpSigner struct{ e *openpgp.Entity }

func (s pgpSigner) Sign(message io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, s.e, message, nil); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ParseSigner reads a private key file: an OpenSSH private key ("-----BEGIN
// OPENSSH PRIVATE KEY-----", or PEM) or an armored OpenPGP secret key. An
// encrypted key is decrypted with pass, which is asked only then. name is
// used in messages; the key and the password never are.
func ParseSigner(name string, data []byte, pass func() ([]byte, error)) (Signer, error) {
	if bytes.Contains(data, []byte("-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
		return parsePGPSigner(name, data, pass)
	}
	s, err := ssh.ParsePrivateKey(data)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if pass == nil {
			return nil, fmt.Errorf("signing key %q is encrypted and no password was given", name)
		}
		pw, perr := pass()
		if perr != nil {
			return nil, perr
		}
		s, err = ssh.ParsePrivateKeyWithPassphrase(data, pw)
	}
	if err != nil {
		return nil, fmt.Errorf("signing key %q: not an OpenSSH or OpenPGP private key, or a wrong password", name)
	}
	return sshSigner{s}, nil
}

func parsePGPSigner(name string, data []byte, pass func() ([]byte, error)) (Signer, error) {
	ring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	if err != nil || len(ring) == 0 || ring[0].PrivateKey == nil {
		return nil, fmt.Errorf("signing key %q: not an OpenPGP secret key", name)
	}
	e := ring[0]
	if e.PrivateKey.Encrypted {
		if pass == nil {
			return nil, fmt.Errorf("signing key %q is encrypted and no password was given", name)
		}
		pw, err := pass()
		if err != nil {
			return nil, err
		}
		if err := e.DecryptPrivateKeys(pw); err != nil {
			return nil, fmt.Errorf("signing key %q: wrong password", name)
		}
	}
	return pgpSigner{e}, nil
}

// Verifier checks commit signatures against the keys a supplier allows.
type Verifier struct {
	ssh []allowedSigner
	pgp openpgp.EntityList
}

type allowedSigner struct {
	principals string
	key        ssh.PublicKey
}

// ParseAllowedSigners reads the keys allowed to sign: git's SSH
// allowed-signers format, or armored OpenPGP public keys (one file holds
// either). name is used in messages.
func ParseAllowedSigners(name string, data []byte) (*Verifier, error) {
	if bytes.Contains(data, []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
		ring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
		if err != nil || len(ring) == 0 {
			return nil, fmt.Errorf("allowed signers %q: not an armored OpenPGP key ring", name)
		}
		return &Verifier{pgp: ring}, nil
	}
	v := &Verifier{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, ok, err := parseAllowedLine(line)
		if err != nil {
			return nil, fmt.Errorf("allowed signers %q line %d: %w", name, n, err)
		}
		if ok {
			v.ssh = append(v.ssh, s)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("allowed signers %q: %w", name, err)
	}
	if len(v.ssh) == 0 {
		return nil, fmt.Errorf("allowed signers %q: no key allowed to sign git commits", name)
	}
	return v, nil
}

// parseAllowedLine reads "principals [options] keytype base64-key
// [comment]". It reports false for a key not allowed for the git
// namespace, and refuses what sdlkit does not check (certificate
// authorities, validity windows) rather than accept it silently.
func parseAllowedLine(line string) (allowedSigner, bool, error) {
	principals, rest, _ := strings.Cut(line, " ")
	key, _, options, _, err := ssh.ParseAuthorizedKey([]byte(strings.TrimSpace(rest)))
	if err != nil {
		return allowedSigner{}, false, errors.New("no public key")
	}
	for _, o := range options {
		name, value, _ := strings.Cut(o, "=")
		switch strings.ToLower(name) {
		case "namespaces":
			names := strings.Split(strings.Trim(value, `"`), ",")
			if !slices.ContainsFunc(names, func(n string) bool { return strings.TrimSpace(n) == namespace }) {
				return allowedSigner{}, false, nil
			}
		default:
			return allowedSigner{}, false, fmt.Errorf("option %q is not supported by sdlkit", name)
		}
	}
	return allowedSigner{principals, key}, true, nil
}

// Verify checks an armored commit signature over payload (the commit
// encoded without it) and returns who made it: the principals of the
// allowed SSH key, or the OpenPGP key's identity.
func (v *Verifier) Verify(payload []byte, signature string) (string, error) {
	switch {
	case strings.HasPrefix(signature, "-----BEGIN SSH SIGNATURE-----"):
		sig, err := sshsig.Unarmor([]byte(signature))
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
		fp := ssh.FingerprintSHA256(sig.PublicKey)
		for _, a := range v.ssh {
			if ssh.FingerprintSHA256(a.key) != fp {
				continue
			}
			if err := sshsig.Verify(bytes.NewReader(payload), sig, a.key, sig.HashAlgorithm, namespace); err != nil {
				return "", fmt.Errorf("%w: %v", ErrBadSignature, err)
			}
			return a.principals, nil
		}
		return "", fmt.Errorf("%w: signed by SSH key %s, which is not an allowed signer", ErrBadSignature, fp)
	case strings.HasPrefix(signature, "-----BEGIN PGP SIGNATURE-----"):
		block, err := armor.Decode(strings.NewReader(signature))
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
		if block.Type != openpgp.SignatureType {
			return "", fmt.Errorf("%w: an armored %q, not a signature", ErrBadSignature, block.Type)
		}
		sig, e, err := openpgp.VerifyDetachedSignature(v.pgp, bytes.NewReader(payload), block.Body, nil)
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
		// A text-mode signature covers the payload with every line ending
		// made CRLF: over a commit that holds a carriage return it verifies
		// over the same commit with other line endings too. git signs in
		// binary mode; gpg's textmode option is honoured only where it is
		// unambiguous.
		if sig.SigType != packet.SigTypeBinary && bytes.ContainsRune(payload, '\r') {
			return "", fmt.Errorf("%w: a text-mode OpenPGP signature over a commit with carriage returns also verifies over other commits", ErrBadSignature)
		}
		if ids := slices.Sorted(maps.Keys(e.Identities)); len(ids) > 0 {
			return ids[0], nil
		}
		return fmt.Sprintf("%X", e.PrimaryKey.Fingerprint), nil
	}
	return "", fmt.Errorf("%w: neither an SSH nor an OpenPGP signature", ErrBadSignature)
}
