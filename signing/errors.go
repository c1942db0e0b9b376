package signing

import "errors"

// Sentinel errors that callers branch on with errors.Is.
var (
	// ErrInvalid marks a bundle that was read and did not verify: a bad
	// signature, a digest that does not match, an untrusted certificate, a
	// wrong identity, a tampered log entry.
	ErrInvalid = errors.New("verification failed")
	// ErrUnreadable marks input that could not be read or parsed: a
	// truncated bundle, an unknown bundle version, a trusted root or key
	// file that does not parse.
	ErrUnreadable = errors.New("could not read")
	// ErrWrongPassword is returned when a private key does not decrypt with
	// the password given.
	ErrWrongPassword = errors.New("wrong password or corrupted key")
	// ErrKeyType is returned for a key file of the wrong kind, such as a
	// public key where a private key is needed, or an unsupported algorithm.
	ErrKeyType = errors.New("wrong key type")
	// ErrNoPassword is returned when a password is needed and none can be
	// obtained (no SDLKIT_PASSWORD and no terminal to ask on).
	ErrNoPassword = errors.New("no password")
	// ErrNoTrustedRoot is returned by Verify when the bundle needs a
	// trusted root (it has a certificate, log entries or timestamps) and
	// the policy has none.
	ErrNoTrustedRoot = errors.New("verify bundle: the bundle has a certificate, log entries or timestamps, and no trusted root was given")
)

// unreadable marks err as ErrUnreadable without adding words to its
// message, for errors that already say what could not be read and why
// ("read key "k.key": larger than the 64 KiB limit for a key").
func unreadable(err error) error {
	if err == nil {
		return nil
	}
	return unreadableError{err}
}

type unreadableError struct{ err error }

func (e unreadableError) Error() string   { return e.err.Error() }
func (e unreadableError) Unwrap() []error { return []error{ErrUnreadable, e.err} }
