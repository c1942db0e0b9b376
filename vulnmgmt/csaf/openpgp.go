package csaf

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// OpenPGPSigner makes the detached, ASCII-armoured OpenPGP signatures
// (.asc) that section 7.1.19 asks for beside each document.
type OpenPGPSigner struct {
	entity *openpgp.Entity
	now    func() time.Time
}

// ErrOpenPGPPassphrase is wrapped by the error for an encrypted key
// without the right passphrase.
var ErrOpenPGPPassphrase = errors.New("the OpenPGP key is encrypted and the passphrase does not open it")

// NewOpenPGPSigner reads an armoured OpenPGP private key (the first of the
// file), decrypting it with passphrase when it is encrypted. now gives the
// signatures' time (SOURCE_DATE_EPOCH, for reproducible output).
func NewOpenPGPSigner(armored []byte, passphrase []byte, now func() time.Time) (*OpenPGPSigner, error) {
	keys, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armored))
	if err != nil {
		return nil, fmt.Errorf("read OpenPGP key: %w", err)
	}
	e := keys[0]
	if e.PrivateKey == nil {
		return nil, errors.New("read OpenPGP key: it is a public key; publish signs with the private key")
	}
	if e.PrivateKey.Encrypted {
		if len(passphrase) == 0 || e.DecryptPrivateKeys(passphrase) != nil {
			return nil, ErrOpenPGPPassphrase
		}
	}
	return &OpenPGPSigner{entity: e, now: now}, nil
}

// Sign returns the armoured detached signature of data.
func (s *OpenPGPSigner) Sign(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, s.entity, bytes.NewReader(data), &packet.Config{Time: s.now}); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Fingerprint is the key's fingerprint in upper-case hex.
func (s *OpenPGPSigner) Fingerprint() string {
	return strings.ToUpper(fmt.Sprintf("%x", s.entity.PrimaryKey.Fingerprint))
}

// PublicKey is the armoured public key, published under openpgp/.
func (s *OpenPGPSigner) PublicKey() ([]byte, error) {
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		return nil, err
	}
	if err := s.entity.Serialize(w); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
