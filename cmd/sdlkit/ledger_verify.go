package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/signing"
)

// sigstoreSealer signs checkpoints as Sigstore attestation bundles.
type sigstoreSealer struct {
	signer *signing.Signer
	opts   signing.SignOptions
}

func (s sigstoreSealer) Seal(ctx context.Context, predicate []byte) ([]byte, error) {
	sum := sha256.Sum256(predicate)
	subject := signing.SubjectFor("sdlkit-ledger-checkpoint", signing.Digest(sum))
	b, err := s.signer.Attest(ctx, []signing.Subject{subject}, ledger.CheckpointPredicateType, predicate, s.opts)
	if err != nil {
		return nil, err
	}
	return b.Encode()
}

// SignBlob signs an export's manifest as a Sigstore bundle.
func (s sigstoreSealer) SignBlob(ctx context.Context, data []byte) ([]byte, error) {
	b, err := s.signer.SignDigest(ctx, signing.DigestBytes(data), s.opts)
	if err != nil {
		return nil, err
	}
	return b.Encode()
}

// VerifyBlob verifies a Sigstore bundle over data under the policy.
func (u sigstoreUnsealer) VerifyBlob(_ context.Context, data, bundle []byte) (string, error) {
	b, err := signing.ReadBundle("export.json.sigstore.json", bundle)
	if err != nil {
		return "", err
	}
	res, err := signing.Verify(b, signing.DigestBytes(data), u.policy)
	if err != nil {
		return "", err
	}
	if res.Identity != "" {
		return res.Identity, nil
	}
	return "key", nil
}

// sigstoreUnsealer verifies checkpoint bundles under a signing policy.
type sigstoreUnsealer struct {
	policy signing.Policy
}

func (u sigstoreUnsealer) Unseal(_ context.Context, data []byte) ([]byte, string, error) {
	b, err := signing.ReadBundle("checkpoint", data)
	if err != nil {
		return nil, "", err
	}
	raw, err := b.Statement()
	if err != nil {
		return nil, "", err
	}
	var st struct {
		Subject []struct {
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
		Predicate json.RawMessage `json:"predicate"`
	}
	if err := json.Unmarshal(raw, &st); err != nil || len(st.Subject) != 1 {
		return nil, "", fmt.Errorf("%w: not a checkpoint statement", signing.ErrInvalid)
	}
	d, err := signing.ParseDigest("sha256:" + st.Subject[0].Digest["sha256"])
	if err != nil {
		return nil, "", fmt.Errorf("%w: checkpoint subject: %v", signing.ErrInvalid, err)
	}
	p := u.policy
	p.PredicateType = ledger.CheckpointPredicateType
	res, err := signing.Verify(b, d, p)
	if err != nil {
		return nil, "", err
	}
	who := "key"
	if res.Identity != "" {
		who = res.Identity
	}
	return st.Predicate, who, nil
}

func newLedgerCheckpointCmd(a *app, opts *ledgerOptions) *cobra.Command {
	var so signerOptions
	var output string
	cmd := &cobra.Command{
		Use:   "checkpoint (--key KEY | --keyless) [--output FILE]",
		Short: "Sign the ledger's head as the next checkpoint of its chain",
		Long: `checkpoint signs the ledger's head and the digest of the previous checkpoint
as a Sigstore attestation bundle, and commits it to the ledger. Checkpoints
form a chain. An assessor keeps one (--output writes a copy) and later runs
'sdlkit ledger verify --since FILE': it fails when the ledger was reset to an
older state or its history reordered, even if every commit still verifies.`,
		Example: `  sdlkit ledger checkpoint --key ledger.key --output checkpoint-2026-12.sigstore.json
  sdlkit ledger checkpoint --keyless   # in GitHub Actions`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := so.check(cmd); err != nil {
				return err
			}
			if output != "" {
				if err := checkOutputs([]namedPath{{"checkpoint", output}}, so.inputs()); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			l, err := opts.open(ctx, a)
			if err != nil {
				return err
			}
			s, err := so.signer(ctx, a)
			if err != nil {
				return err
			}
			w, err := opts.writer(ctx, a, l)
			if err != nil {
				return err
			}
			cp, err := w.Checkpoint(ctx, sigstoreSealer{signer: s, opts: so.signOptions()})
			if err != nil {
				return ledgerError(err)
			}
			if output != "" {
				if err := atomicfile.WriteFile(output, cp.Bundle); err != nil {
					return inputError(fmt.Errorf("write checkpoint %q: %w", output, err))
				}
			}
			a.infof("checkpoint %d seals %s (%d records)", cp.Checkpoint.Seq, cp.Checkpoint.Head, cp.Checkpoint.Records)
			fmt.Fprintln(a.out, cp.Commit)
			return nil
		},
	}
	so.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "", "also write the checkpoint bundle here, for the assessor to keep")
	return cmd
}

func newLedgerVerifyCmd(a *app, opts *ledgerOptions) *cobra.Command {
	var vo verifyCmdOptions
	var since, allowed, export string
	var full bool
	cmd := &cobra.Command{
		Use:   "verify [--since CHECKPOINT] [--allowed-signers FILE] [--key PUB | --certificate-identity ID --certificate-oidc-issuer ISS]",
		Short: "Verify the ledger's whole history, evidence and checkpoints",
		Long: `verify walks the ledger's history from its first commit and checks that
every commit only adds files; that every record is well-formed and names
requirements and evidence kinds of the catalog and evidence the ledger
holds; that every evidence file's SHA-256 is the one its name says; and that
the checkpoints chain, each sealing the commit before it. Every git object
it reads (commits, trees, records, evidence) must hash to its name. Evidence
is hashed on every CPU the process may use (GOMAXPROCS). With --key or a
certificate identity, every checkpoint's signature is verified too. With
--allowed-signers (git's SSH allowed-signers format, or armored OpenPGP
public keys; default git's gpg.ssh.allowedSignersFile), every commit must be
signed by one of those keys.

--since FILE takes a checkpoint bundle kept earlier (ledger checkpoint
--output): the ledger must still hold its head in its history and the same
checkpoint in its chain; a ledger reset to an older state or rewritten fails.

After a clean verification, verify remembers the head it reached (in the
repository's git directory, for the same catalog, keys and identities) and
next time verifies only the commits since, once it has checked, commit by
commit, that that head is still on the branch's history. The record is
authenticated with a key kept in your configuration directory
(sdlkit/ledger-verify.key, made on first use, readable by you alone), so
that whoever can write the git directory cannot forge it; without that
directory every verification is full. --full verifies everything again; an
assessor verifying a clone has no such record.

Exit status: 0 verified; 1 a problem was found (each is listed, one line);
2 the ledger could not be read or a usage error.`,
		Example: `  sdlkit ledger verify
  sdlkit ledger verify --key ledger.pub --since checkpoint-2026-12.sigstore.json --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(vo.format, "text", "json"); err != nil {
				return err
			}
			if export != "" {
				return runVerifyExport(cmd, a, &vo, export)
			}
			return runLedgerVerify(cmd, a, opts, &vo, ledgerVerifyFlags{since, allowed, full})
		},
	}
	vo.registerPolicy(cmd)
	cmd.Flags().StringVar(&allowed, "allowed-signers", "", "every commit must be signed by a key of this file (git's SSH allowed-signers format, or armored OpenPGP public keys)")
	cmd.Flags().StringVar(&export, "export", "", "verify an audit package (ledger export) offline instead of a ledger: needs --key or a certificate identity")
	cmd.Flags().BoolVar(&full, "full", false, "verify the whole history, not only what came since the last clean verification on this machine")
	cmd.Flags().StringVar(&since, "since", "", "a checkpoint bundle kept earlier: the ledger must still contain it")
	cmd.Flags().StringVarP(&vo.format, "format", "f", "text", "output format: text or json")
	cmd.MarkFlagsMutuallyExclusive("export", "since")
	cmd.MarkFlagsMutuallyExclusive("export", "allowed-signers")
	return cmd
}

// ledgerVerifyFlags are verify's own flags.
type ledgerVerifyFlags struct {
	since, allowed string
	full           bool
}

func runLedgerVerify(cmd *cobra.Command, a *app, opts *ledgerOptions, vo *verifyCmdOptions, vf ledgerVerifyFlags) error {
	since, allowed := vf.since, vf.allowed
	ctx := cmd.Context()
	vopts := ledger.VerifyOptions{}
	if since != "" {
		data, err := readlimit.ReadFile(ctx, since, readlimit.Kind{Name: "checkpoint", Limit: 1 << 20})
		if err != nil {
			return inputError(err)
		}
		if _, err := signing.ReadBundle(since, data); err != nil {
			return inputError(fmt.Errorf("read checkpoint: %w", err))
		}
		vopts.Since = data
	}
	if vo.key != "" || vo.identity != "" || vo.identityRegexp != "" || vo.issuer != "" || vo.issuerRegexp != "" {
		p, err := vo.checkpointPolicy(cmd)
		if err != nil {
			return err
		}
		vopts.Unsealer = sigstoreUnsealer{policy: p}
	} else if since != "" {
		return usageErrorf("%s: --since needs --key or a certificate identity to verify the kept checkpoint", cmd.CommandPath())
	}
	l, err := opts.open(ctx, a)
	if err != nil {
		return err
	}
	if vopts.Commits, err = commitVerifier(ctx, a, l, allowed); err != nil {
		return err
	}
	if !vf.full {
		if secret := verifyCacheSecret(); secret != nil {
			vopts.CacheKey, vopts.CacheSecret = verifyCacheKey(l, vo, allowed), secret
		}
	}
	meter := a.progressCount("verify ledger", "commits")
	vopts.Progress = func(done, total int) { meter.SetTotal(int64(total)); meter.Set(int64(done)) }
	rep, err := l.Verify(ctx, vopts)
	meter.Stop()
	if err != nil {
		return ledgerError(err)
	}
	if vo.format == "json" {
		if err := writeJSON(a.out, rep); err != nil {
			return err
		}
	} else {
		printVerify(a.err, rep)
	}
	if !rep.OK() {
		return checkFailed(fmt.Errorf("ledger %s: %d problem(s): %s", l.Branch(), len(rep.Problems), textsafe.Escape(rep.Problems[0])))
	}
	return nil
}

// runVerifyExport checks an audit package with the checkpoint key or
// identity given.
func runVerifyExport(cmd *cobra.Command, a *app, vo *verifyCmdOptions, dir string) error {
	ctx := cmd.Context()
	if vo.key == "" && vo.identity == "" && vo.identityRegexp == "" {
		return usageErrorf("%s: --export needs --key or a certificate identity to verify the package's checkpoint", cmd.CommandPath())
	}
	p, err := vo.checkpointPolicy(cmd)
	if err != nil {
		return err
	}
	u := sigstoreUnsealer{policy: p}
	rep, err := ledger.VerifyExport(ctx, dir, u, u)
	if err != nil {
		return inputError(err)
	}
	if vo.format == "json" {
		if err := writeJSON(a.out, rep); err != nil {
			return err
		}
	} else {
		for _, p := range rep.Problems {
			fmt.Fprintf(a.err, "sdlkit: problem: %s\n", textsafe.Escape(p))
		}
		for _, s := range rep.Warnings {
			fmt.Fprintf(a.err, "sdlkit: warning: %s\n", textsafe.Escape(s))
		}
		for _, s := range rep.Verified {
			fmt.Fprintf(a.err, "sdlkit: %s\n", textsafe.Escape(s))
		}
	}
	if !rep.OK() {
		return checkFailed(fmt.Errorf("audit package %q: %d problem(s): %s", dir, len(rep.Problems), textsafe.Escape(rep.Problems[0])))
	}
	a.infof("audit package %s verified: %d records, %d files (%s), checkpoint of %.12s", textsafe.Escape(dir), rep.Records, rep.EvidenceFiles, readlimit.FormatSize(rep.EvidenceBytes), rep.Head)
	return nil
}

// checkpointPolicy is the signing policy checkpoints (and an export's
// manifest) are verified under: the key or identity, and --trusted-root
// when given. A checkpoint never makes sdlkit fetch a trusted root.
func (o *verifyCmdOptions) checkpointPolicy(cmd *cobra.Command) (signing.Policy, error) {
	p, err := o.policy(cmd)
	if err != nil {
		return p, err
	}
	if o.trustedRoot != "" {
		tr, err := signing.LoadTrustedRootContext(cmd.Context(), o.trustedRoot)
		if err != nil {
			return p, inputError(err)
		}
		p.TrustedRoot = tr
	}
	return p, nil
}

// verifyCacheKey names what a verification trusts: the catalog, the
// allowed signers, the checkpoint key or identity and the trusted root. A
// cached verification is resumed only under the same key.
func verifyCacheKey(l *ledger.Ledger, vo *verifyCmdOptions, allowed string) string {
	h := sha256.New()
	cat, _ := json.Marshal(l.Catalog())
	h.Write(cat)
	for _, p := range []string{allowed, vo.key, vo.trustedRoot} {
		data, err := os.ReadFile(p)
		if p != "" && err != nil {
			data = []byte(p) // a KMS URI, or a file that vanished: the name
		}
		fmt.Fprintf(h, "\x00%d:", len(data))
		h.Write(data)
	}
	fmt.Fprintf(h, "\x00%q %q %q %q %t", vo.identity, vo.identityRegexp, vo.issuer, vo.issuerRegexp, vo.insecureIgnoreSCT)
	return "v1:" + hex.EncodeToString(h.Sum(nil))
}

// verifyCacheSecret returns the key that authenticates verify's record of
// its last clean verification (ledger.VerifyOptions.CacheSecret): 32
// random bytes in the user's configuration directory, made on first use,
// mode 0600, where the git directory's writers cannot read them. A key
// others may read is replaced. nil when there is no such directory or it
// cannot be written: then no record is used.
func verifyCacheSecret() []byte {
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil
	}
	path := filepath.Join(dir, "sdlkit", "ledger-verify.key")
	if f, fi, err := readlimit.OpenRegular(path, "verification key"); err == nil {
		key := make([]byte, 33)
		n, _ := io.ReadFull(f, key)
		f.Close()
		if n == 32 && (runtime.GOOS == "windows" || fi.Mode().Perm()&0o077 == 0) {
			return key[:32]
		}
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil
	}
	if os.MkdirAll(filepath.Dir(path), 0o700) != nil {
		return nil
	}
	err = atomicfile.Write(path, atomicfile.Options{Perm: 0o600, Kind: "verification key"}, func(w io.Writer) error {
		_, err := w.Write(key)
		return err
	})
	if err != nil {
		return nil
	}
	return key
}

func printVerify(w io.Writer, rep *ledger.Report) {
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "sdlkit: problem: %s\n", textsafe.Escape(p))
	}
	for _, s := range rep.Warnings {
		fmt.Fprintf(w, "sdlkit: warning: %s\n", textsafe.Escape(s))
	}
	for _, s := range rep.Verified {
		fmt.Fprintf(w, "sdlkit: %s\n", textsafe.Escape(s))
	}
	verdict := "verified"
	if !rep.OK() {
		verdict = "NOT verified"
	}
	if rep.Resumed != "" {
		fmt.Fprintf(w, "sdlkit: resumed from the clean verification of %.12s on this machine (--full verifies every commit again)\n", rep.Resumed)
	}
	signed := ""
	if rep.SignedCommits > 0 {
		signed = fmt.Sprintf(" (%d signed)", rep.SignedCommits)
	}
	fmt.Fprintf(w, "sdlkit: ledger %s %s: %d commits%s, %d records, %d evidence files (%s hashed), %d checkpoints, head %.12s\n",
		rep.Branch, verdict, rep.Commits, signed, rep.Records, rep.EvidenceFiles, readlimit.FormatSize(rep.EvidenceBytes), rep.Checkpoints, rep.Head)
}
