//go:build kms

package signing

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestKMSProvidersBuiltIn checks that a -tags kms build dispatches each KMS
// scheme to its compiled-in provider: loading fails (no cloud here, and the
// Vault address is a closed loopback port), but not for want of a provider.
func TestKMSProvidersBuiltIn(t *testing.T) {
	t.Setenv("VAULT_ADDR", "http://127.0.0.1:9")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, ref := range []string{"awskms:///alias/release", "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1", "azurekms://vault.vault.azure.net/release", "hashivault://release"} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := loadKMSSigner(ctx, ref)
		cancel()
		if err == nil {
			t.Errorf("%s: loaded a key with no KMS reachable", ref)
			continue
		}
		if strings.Contains(err.Error(), "no built-in") {
			t.Errorf("%s: %v; want the compiled-in provider", ref, err)
		}
	}
}
