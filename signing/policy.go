package signing

import (
	"fmt"

	"github.com/sigstore/sigstore-go/pkg/verify"
)

// facts are what a bundle carries, read before verification to choose
// which checks sigstore-go must make.
type facts struct {
	cert       bool // signed with a certificate, not a bare key
	tlogs      int  // transparency log entries
	integrated int  // log entries with an integrated time (Rekor v1)
	tsas       int  // RFC 3161 signed timestamps
}

func bundleFacts(e verify.SignedEntity) (facts, error) {
	var f facts
	vc, err := e.VerificationContent()
	if err != nil {
		return f, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	f.cert = vc.Certificate() != nil
	entries, err := e.TlogEntries()
	if err != nil {
		return f, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	f.tlogs = len(entries)
	for _, e := range entries {
		if !e.IntegratedTime().IsZero() && e.IntegratedTime().Unix() != 0 {
			f.integrated++
		}
	}
	ts, err := e.Timestamps()
	if err != nil {
		return f, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	f.tsas = len(ts)
	return f, nil
}

// verifierOptions chooses sigstore-go's verifier options, fail-closed:
//
//   - Every transparency log entry and every signed timestamp in the bundle
//     must verify (thresholds equal their counts), so a forged entry next
//     to a good one fails.
//   - A certificate bundle must have at least one log entry, at least one
//     verified time (signed timestamp or log integrated time) inside the
//     certificate's validity, and an SCT from a trusted CT log (unless
//     Policy.InsecureIgnoreSCT, for private deployments without a CT log).
//   - A key bundle without log entries or timestamps is checked against the
//     key alone: the signing time is then unknown.
func verifierOptions(e verify.SignedEntity, p Policy) ([]verify.VerifierOption, error) {
	f, err := bundleFacts(e)
	if err != nil {
		return nil, err
	}
	var opts []verify.VerifierOption
	if f.cert {
		if !p.InsecureIgnoreSCT {
			opts = append(opts, verify.WithSignedCertificateTimestamps(1))
		}
		opts = append(opts, verify.WithTransparencyLog(max(f.tlogs, 1)))
	} else if f.tlogs > 0 {
		opts = append(opts, verify.WithTransparencyLog(f.tlogs))
	}
	if f.tsas > 0 {
		opts = append(opts, verify.WithSignedTimestamps(f.tsas))
	}
	if f.integrated > 0 {
		opts = append(opts, verify.WithIntegratedTimestamps(f.integrated))
	}
	switch {
	case f.tsas > 0 || f.integrated > 0:
	case f.cert:
		// No time source at all: let sigstore-go refuse the certificate.
		opts = append(opts, verify.WithObserverTimestamps(1))
	default:
		opts = append(opts, verify.WithNoObserverTimestamps())
	}
	return opts, nil
}
