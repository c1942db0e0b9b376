// Package signing signs files and attestations as Sigstore bundles and
// verifies them, for sdlkit's key, sign, attest and verify commands and for
// the release signing built on top of them (package signing/release).
//
// It is a thin, opinionated layer over the Sigstore Go libraries: bundles are
// built by sigstore-go's pkg/sign and checked by sigstore-go's pkg/verify;
// keys are read and written by github.com/sigstore/sigstore's cryptoutils in
// the format cosign uses (PEM "ENCRYPTED SIGSTORE PRIVATE KEY", PKCS#8
// encrypted with scrypt and NaCl secretbox by go-securesystemslib), so key
// files move between cosign and sdlkit unchanged. This package holds no
// verification logic of its own: it only chooses sigstore-go's verifier
// options from what the bundle carries, fail-closed (see Verify).
//
// # API
//
// Signing:
//
//	s, err := signing.LoadSigner(ctx, "cosign.key", signing.StaticPassword(pw)) // or "awskms://…"
//	s, err := signing.NewKeylessSigner(signing.KeylessOptions{IDToken: tok}) // tok: GitHubActionsToken(…)
//	d, err := signing.DigestFile(ctx, "app.tar.gz") // a regular file; stops when ctx is cancelled
//	b, err := s.SignDigest(ctx, d, signing.SignOptions{TlogUpload: true})
//	b, err := s.Attest(ctx, []signing.Subject{signing.SubjectFor("app.tar.gz", d)}, predicateType, predicateJSON, signing.SignOptions{})
//	err = b.WriteFile("app.tar.gz.sigstore.json")
//
// Verifying:
//
//	b, err := signing.ReadBundleFile("app.tar.gz.sigstore.json")
//	tr, err := signing.LoadTrustedRoot("trusted_root.json")
//	pub, err := signing.ReadPublicKeyFile("release.pub")
//	res, err := signing.Verify(b, d, signing.Policy{PublicKey: pub})
//	res, err := signing.Verify(b, d, signing.Policy{Identity: &signing.Identity{SAN: id, Issuer: iss}, TrustedRoot: tr})
//
// Limits: every input read whole is bounded while it is read (MaxKeySize,
// MaxBundleSize, MaxTrustedRootSize, MaxPredicateSize), so that /dev/zero or
// a huge file is refused with an error naming the file and the limit, and
// what Attest writes stays within what ReadBundle reads. Artifacts must be
// regular files: named pipes, devices and directories are refused before
// they are opened.
//
// Errors: a bundle, key or trusted root that cannot be read or parsed (bad
// JSON, unknown bundle version) wraps ErrUnreadable; a bundle that was read
// and does not verify, or parses but is internally inconsistent (a log entry
// that does not match, a missing inclusion proof), wraps ErrInvalid.
// Callers map the first to "could not read" and the second to "invalid".
//
// Offline use: Verify makes no network request. A trusted root is needed for
// certificate (keyless) bundles and for key bundles that carry transparency
// log entries; FetchTrustedRoot gets the public-good root over TUF (network)
// for callers that allow it.
//
// KMS keys: LoadSigner accepts awskms://, gcpkms://, azurekms:// and
// hashivault:// references through sigstore's kms package. The cloud SDK
// providers are not compiled in: measured on a probe program, importing the
// four providers (kms/aws, azure, gcp, hashivault v1.10.8) grows a binary
// from 7.7 MB to 37.6 MB and its packages from 225 to 686, for a binary that
// customers install on OT networks to verify, which never needs a KMS;
// sigstore's kms package then runs the provider as a plugin program named
// sigstore-kms-<scheme> found on PATH, and LoadSigner says so when it is
// missing. Built with -tags kms (kms_providers.go), the four providers are
// compiled in, for release pipelines that sign with a cloud KMS key.
//
// What this package is not: it does not manage trust policy for releases
// (signing/release), does not store evidence, and does not talk to OCI
// registries.
package signing
