package gitsign

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// payload returns a commit's signature and its encoding without it.
func payload(t *testing.T, repo string) ([]byte, string) {
	t.Helper()
	r, err := git.PlainOpen(repo)
	if err != nil {
		t.Fatal(err)
	}
	head, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(head.Hash())
	if err != nil {
		t.Fatal(err)
	}
	obj := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(obj); err != nil {
		t.Fatal(err)
	}
	rd, _ := obj.Reader()
	data, _ := io.ReadAll(rd)
	return data, c.PGPSignature
}

// TestVerifyGitSignedCommits checks that signatures git itself makes, with
// ssh-keygen and with gpg, verify, and that a changed commit or another key
// does not.
func TestVerifyGitSignedCommits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	gnupg := filepath.Join(dir, "gnupg")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(gnupg, 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{"GNUPGHOME=" + gnupg, "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}
	run(t, dir, env, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dev@example.com", "-f", filepath.Join(dir, "id"))
	run(t, dir, env, "ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", filepath.Join(dir, "other"))
	run(t, dir, env, "gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Dev <dev@example.com>", "ed25519", "sign", "never")
	pgpPub := run(t, dir, env, "gpg", "--batch", "--armor", "--export", "dev@example.com")
	pub, _ := os.ReadFile(filepath.Join(dir, "id.pub"))
	otherPub, _ := os.ReadFile(filepath.Join(dir, "other.pub"))
	run(t, repo, env, "git", "init", "-q")
	gitc := []string{"-c", "user.name=Dev", "-c", "user.email=dev@example.com"}

	run(t, repo, env, "git", append(gitc, "-c", "gpg.format=ssh", "-c", "user.signingkey="+filepath.Join(dir, "id"), "commit", "-q", "-S", "--allow-empty", "-m", "ssh")...)
	sshPayload, sshSig := payload(t, repo)
	run(t, repo, env, "git", append(gitc, "-c", "user.signingkey=dev@example.com", "commit", "-q", "-S", "--allow-empty", "-m", "pgp")...)
	pgpPayload, pgpSig := payload(t, repo)

	allowed, err := ParseAllowedSigners("allowed", []byte("# CI\ndev@example.com namespaces=\"file,git\" "+string(pub)))
	if err != nil {
		t.Fatal(err)
	}
	notAllowed, err := ParseAllowedSigners("other", []byte("ops@example.com "+string(otherPub)))
	if err != nil {
		t.Fatal(err)
	}
	pgp, err := ParseAllowedSigners("pgp", []byte(pgpPub))
	if err != nil {
		t.Fatal(err)
	}
	changed := func(p []byte) []byte { return append(append([]byte{}, p...), '!') }
	tests := []struct {
		name    string
		v       *Verifier
		payload []byte
		sig     string
		who     string
	}{
		{"ssh", allowed, sshPayload, sshSig, "dev@example.com"},
		{"ssh, changed commit", allowed, changed(sshPayload), sshSig, ""},
		{"ssh, key not allowed", notAllowed, sshPayload, sshSig, ""},
		{"openpgp", pgp, pgpPayload, pgpSig, "Dev <dev@example.com>"},
		{"openpgp, changed commit", pgp, changed(pgpPayload), pgpSig, ""},
		{"openpgp against ssh keys", allowed, pgpPayload, pgpSig, ""},
		{"not a signature", allowed, sshPayload, "hello", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			who, err := tt.v.Verify(tt.payload, tt.sig)
			if tt.who == "" {
				if !errors.Is(err, ErrBadSignature) {
					t.Fatalf("Verify = %q, %v; want ErrBadSignature", who, err)
				}
				return
			}
			if err != nil || who != tt.who {
				t.Fatalf("Verify = %q, %v; want %q", who, err, tt.who)
			}
		})
	}
}

// TestSignVerifyRoundTrip signs with keys made in Go-free formats (an
// OpenSSH key from ssh-keygen) and checks the result with Verify.
func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run(t, dir, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "pw-1", "-f", filepath.Join(dir, "id"))
	key, _ := os.ReadFile(filepath.Join(dir, "id"))
	pub, _ := os.ReadFile(filepath.Join(dir, "id.pub"))
	if _, err := ParseSigner("id", key, nil); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Fatalf("encrypted key without password: %v", err)
	}
	if _, err := ParseSigner("id", key, func() ([]byte, error) { return []byte("wrong"), nil }); err == nil || strings.Contains(err.Error(), "pw-1") {
		t.Fatalf("wrong password: %v", err)
	}
	s, err := ParseSigner("id", key, func() ([]byte, error) { return []byte("pw-1"), nil })
	if err != nil {
		t.Fatal(err)
	}
	c := &object.Commit{Message: "m"}
	sig, err := s.Sign(strings.NewReader("tree 123\n\nm\n"))
	if err != nil {
		t.Fatal(err)
	}
	c.PGPSignature = string(sig)
	v, err := ParseAllowedSigners("a", []byte("me@example.com "+string(pub)))
	if err != nil {
		t.Fatal(err)
	}
	if who, err := v.Verify([]byte("tree 123\n\nm\n"), c.PGPSignature); err != nil || who != "me@example.com" {
		t.Fatalf("Verify = %q, %v", who, err)
	}
}

func TestParseAllowedSigners(t *testing.T) {
	t.Parallel()
	const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOvN3QwWqqc3+yUe0BDN4hEv3mHzyWO2A5KD7Y7ISXzF c"
	tests := []struct {
		name, file string
		keys       int
		err        string
	}{
		{"plain", "a@example.com " + key, 1, ""},
		{"comments and blanks", "# x\n\na@example.com " + key + "\n", 1, ""},
		{"git namespace", `a@example.com namespaces="git" ` + key, 1, ""},
		{"other namespace only", `a@example.com namespaces="file" ` + key + "\nb@example.com " + key, 1, ""},
		{"no git key at all", `a@example.com namespaces="file" ` + key, 0, "no key allowed"},
		{"certificate authority", `a@example.com cert-authority ` + key, 0, `option "cert-authority" is not supported`},
		{"validity window", `a@example.com valid-before="20300101" ` + key, 0, "not supported"},
		{"no key", "a@example.com", 0, "line 1: no public key"},
		{"empty", "", 0, "no key allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ParseAllowedSigners("f", []byte(tt.file))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(v.ssh) != tt.keys {
				t.Fatalf("got %v, %v; want %d keys", v, err, tt.keys)
			}
		})
	}
}

// TestVerifyTextModeSignature checks that an OpenPGP signature made in
// text mode (gpg's textmode option), which covers the payload with its
// line endings made CRLF, verifies over one commit only: over a commit
// without carriage returns, and never over one with them.
func TestVerifyTextModeSignature(t *testing.T) {
	t.Parallel()
	k := newFuzzKeys(t)
	v, err := ParseAllowedSigners("pgp", k.pgpAllowed)
	if err != nil {
		t.Fatal(err)
	}
	text := k.sigs[len(k.sigs)-1] // newFuzzKeys signs in text mode last
	if who, err := v.Verify([]byte(fuzzPayload), text); err != nil || who != "Dev <dev@example.com>" {
		t.Fatalf("Verify = %q, %v", who, err)
	}
	crlf := strings.ReplaceAll(fuzzPayload, "\n", "\r\n")
	if _, err := v.Verify([]byte(crlf), text); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a text-mode signature over a commit verifies over its CRLF form: %v", err)
	}
}
