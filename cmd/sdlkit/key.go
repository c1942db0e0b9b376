package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/signing"
)

func newKeyCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Create signing keys and print public keys",
		Long: `Signing keys are ECDSA P-256 key pairs. The private key is encrypted at rest
in the format cosign uses (PEM "ENCRYPTED SIGSTORE PRIVATE KEY": PKCS#8,
scrypt and NaCl secretbox), so the same key files work with cosign and sdlkit,
and existing cosign.key files load as they are.

The password comes from SDLKIT_PASSWORD or, on a terminal, from a prompt
that does not echo. sdlkit never prints, logs or stores the password.`,
	}
	cmd.AddCommand(newKeyGenerateCmd(a), newKeyPublicCmd(a))
	return cmd
}

func newKeyGenerateCmd(a *app) *cobra.Command {
	var prefix string
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Generate an encrypted ECDSA P-256 key pair",
		Long: `Generate writes PREFIX.key (the private key, encrypted, mode 0600) and PREFIX.pub
(the public key, mode 0644). It refuses to overwrite either file, and
writes both or neither; PREFIX must end in a file name. Give the public key
to whoever verifies; keep the private key and its password apart.`,
		Example: `  sdlkit key generate --output-prefix release
  SDLKIT_PASSWORD=… sdlkit key generate --output-prefix ci/release`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runKeyGenerate(a, prefix)
		},
	}
	cmd.Flags().StringVar(&prefix, "output-prefix", "sdlkit", "write PREFIX.key and PREFIX.pub")
	return cmd
}

// runKeyGenerate creates both files (refusing existing ones) before it asks
// for the password, and puts them in place together: a failed run leaves
// neither.
func runKeyGenerate(a *app, prefix string) error {
	if err := checkPrefix(prefix); err != nil {
		return err
	}
	privPath, pubPath := prefix+".key", prefix+".pub"
	priv, err := createKeyFile("private key", privPath, 0o600)
	if err != nil {
		return err
	}
	defer priv.Abort()
	pub, err := createKeyFile("public key", pubPath, 0o644)
	if err != nil {
		return err
	}
	defer pub.Abort()
	kp, err := signing.GenerateKey(a.passwordFunc())
	if err != nil {
		return keyError(err)
	}
	if _, err := priv.Write(kp.PrivatePEM); err != nil {
		return inputError(fmt.Errorf("write private key %q: %w", privPath, err))
	}
	if _, err := pub.Write(kp.PublicPEM); err != nil {
		return inputError(fmt.Errorf("write public key %q: %w", pubPath, err))
	}
	if err := atomicfile.Commit(priv, pub); err != nil {
		// A file appeared while the key was generated.
		return inputError(err, "choose another --output-prefix, or move the old key away")
	}
	a.infof("wrote private key %s (encrypted) and public key %s", privPath, pubPath)
	return nil
}

// checkPrefix refuses an --output-prefix without a file name: "" and
// "keys/" would write the hidden files .key and .pub.
func checkPrefix(prefix string) error {
	base := filepath.Base(prefix)
	if prefix == "" || os.IsPathSeparator(prefix[len(prefix)-1]) || base == "." || base == ".." {
		return usageErrorf("sdlkit key generate: --output-prefix %q has no file name: give a path such as release or keys/release", prefix)
	}
	return nil
}

func createKeyFile(kind, path string, perm os.FileMode) (*atomicfile.Pending, error) {
	p, err := atomicfile.Create(path, atomicfile.Options{Kind: kind, Perm: perm, NoOverwrite: true})
	if err != nil {
		return nil, keyFileError(path, err)
	}
	return p, nil
}

func keyFileError(path string, err error) error {
	if errors.Is(err, atomicfile.ErrExists) {
		return inputError(fmt.Errorf("generate key: %q already exists", path), "choose another --output-prefix, or move the old key away")
	}
	return inputError(err)
}

func newKeyPublicCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "public KEY",
		Short: "Print the public key of a private key file or KMS key",
		Long: `Public prints the PEM public key of KEY: an encrypted private key file (asks
for its password), a KMS URI, or a public key file.`,
		Example: `  sdlkit key public release.key > release.pub
  sdlkit key public awskms:///alias/release`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pem, err := publicKeyPEM(cmd, a, args[0])
			if err != nil {
				return err
			}
			_, err = a.out.Write(pem)
			return err
		},
	}
}

func publicKeyPEM(cmd *cobra.Command, a *app, ref string) ([]byte, error) {
	pub, err := signing.LoadPublicKey(cmd.Context(), ref, a.passwordFunc())
	if err != nil {
		return nil, keyError(err)
	}
	return signing.MarshalPublicKey(pub)
}
