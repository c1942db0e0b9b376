package signing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// Verification is the outcome of verifying one artifact against a bundle:
// what 'sdlkit verify' reports, as facts on stderr (WriteText) and as JSON
// on stdout (WriteJSON).
type Verification struct {
	// Artifact is the file, or the "sha256:…" digest, that was verified.
	Artifact string `json:"artifact"`
	// Digest is the artifact's SHA-256 digest, once it was read.
	Digest string `json:"digest,omitempty"`
	// Bundle names the bundle.
	Bundle   string `json:"bundle"`
	Verified bool   `json:"verified"`
	// Error says why verification failed, when it did, in one line.
	Error string `json:"error,omitempty"`
	// Result holds the verified facts; nil when verification failed.
	*Result
}

// CheckArtifact checks, without opening it, that artifact is something
// VerifyArtifact can verify: a regular file, or a "sha256:<hex>" digest
// when no file has that name. Callers check it before reading keys and
// bundles, so that a wrong artifact is reported first.
func CheckArtifact(artifact string) error {
	if d, ok := artifactDigest(artifact); ok {
		_, err := ParseDigest(d)
		return unreadable(err)
	}
	return unreadable(readlimit.CheckRegular(artifact, "artifact"))
}

// artifactDigest reports whether artifact names a digest rather than a
// file: it starts with "sha256:" and no such file exists.
func artifactDigest(artifact string) (string, bool) {
	if !strings.HasPrefix(artifact, "sha256:") {
		return "", false
	}
	_, err := os.Stat(artifact)
	return artifact, err != nil
}

// VerifyArtifact verifies b, read from bundleName, against artifact (a
// regular file, or a digest as CheckArtifact says) under policy p. The
// Verification it returns is non-nil when the check ran, also when it
// failed: then Error says why, and Digest is set for a digest artifact
// only. The error wraps ErrInvalid for a failed check, ErrUnreadable for
// input that cannot be read, and ctx.Err() when reading stopped because
// ctx was cancelled.
func VerifyArtifact(ctx context.Context, b *Bundle, bundleName, artifact string, p Policy) (*Verification, error) {
	v := &Verification{Artifact: artifact, Bundle: bundleName}
	var (
		res *Result
		err error
	)
	if d, ok := artifactDigest(artifact); ok {
		var digest Digest
		if digest, err = ParseDigest(d); err == nil {
			v.Digest = digest.String()
			res, err = Verify(b, digest, p)
		} else {
			err = unreadable(err)
		}
	} else {
		var digest Digest
		if res, digest, err = VerifyFileContext(ctx, b, artifact, p); err == nil {
			v.Digest = digest.String()
		}
	}
	if err != nil {
		err = fmt.Errorf("verify %s with %s: %w", artifact, bundleName, err)
		if !errors.Is(err, ErrInvalid) {
			return nil, err
		}
		v.Error = strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
		return v, err
	}
	v.Verified, v.Result = true, res
	return v, nil
}

// WriteJSON writes the verification as indented JSON with a final
// newline: the stable form that 'sdlkit verify --format json' prints.
func (v *Verification) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteText writes the verified facts, one per line, each line starting
// with prefix. It writes nothing for a failed verification, whose error
// says it all.
func (v *Verification) WriteText(w io.Writer, prefix string) error {
	if !v.Verified || v.Result == nil {
		return nil
	}
	return v.Result.WriteFacts(w, prefix, v.Artifact)
}

// WriteFacts writes what verifying artifact established, one fact per line,
// each line starting with prefix: the signer, the predicate type, the log
// entries and timestamps.
func (r *Result) WriteFacts(w io.Writer, prefix, artifact string) error {
	var b strings.Builder
	line := func(format string, args ...any) {
		b.WriteString(prefix)
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	line("verified %s", artifact)
	if r.Identity != "" {
		line("  signer identity: %s", r.Identity)
		line("  oidc issuer:     %s", r.Issuer)
	} else {
		line("  signed with:     the given public key")
	}
	if r.PredicateType != "" {
		line("  predicate type:  %s", r.PredicateType)
	}
	for _, e := range r.Tlog {
		if e.IntegratedTime.IsZero() {
			line("  log index:       %d", e.LogIndex)
		} else {
			line("  log index:       %d, integrated %s", e.LogIndex, e.IntegratedTime.Format("2006-01-02T15:04:05Z"))
		}
	}
	for _, t := range r.Timestamps {
		if t.Source != "Tlog" {
			line("  timestamp:       %s (%s)", t.Time.Format("2006-01-02T15:04:05Z"), t.Source)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
