package signing

import "github.com/sdlkit/sdlkit/internal/readlimit"

// Limits on what sdlkit reads, enforced while reading, so that a device
// such as /dev/zero or a huge file is refused, not read into memory. What
// sdlkit writes fits the same limits: Attest refuses a predicate whose
// bundle verify would refuse.
const (
	// MaxKeySize bounds a key file: PEM keys are a few hundred bytes, RSA
	// 4096 private keys a few kilobytes.
	MaxKeySize = 64 << 10
	// MaxBundleSize bounds a bundle: real bundles are a few kilobytes,
	// attestations with an SBOM predicate a few megabytes.
	MaxBundleSize = 64 << 20
	// MaxTrustedRootSize bounds a trusted_root.json (the public-good one
	// is about 10 KB).
	MaxTrustedRootSize = 16 << 20
	// MaxPredicateSize bounds an attestation's predicate so that its bundle
	// stays within MaxBundleSize: the predicate travels base64-encoded (4
	// bytes for 3) next to at most bundleOverhead of signature,
	// certificate and log entry.
	MaxPredicateSize = (MaxBundleSize - bundleOverhead) / 4 * 3

	// bundleOverhead is what a bundle holds besides its payload.
	bundleOverhead = 1 << 20
	// maxTokenSize bounds an OIDC token file.
	maxTokenSize = 64 << 10
)

// The kinds of input read whole, with their limits.
var (
	keyKind         = readlimit.Kind{Name: "key", Limit: MaxKeySize}
	publicKeyKind   = readlimit.Kind{Name: "public key", Limit: MaxKeySize}
	bundleKind      = readlimit.Kind{Name: "bundle", Limit: MaxBundleSize}
	trustedRootKind = readlimit.Kind{Name: "trusted root", Limit: MaxTrustedRootSize}
	predicateKind   = readlimit.Kind{Name: "predicate", Limit: MaxPredicateSize}
	tokenKind       = readlimit.Kind{Name: "oidc token", Limit: maxTokenSize}
)
