//go:build kms

package signing

// Built with -tags kms (go build -tags kms ./cmd/sdlkit), sdlkit signs with
// AWS KMS, Google Cloud KMS, Azure Key Vault and HashiCorp Vault keys through
// sigstore's own providers, as cosign does. Measured on sdlkit itself: the
// binary grows from 46 MB to 62 MB. Release pipelines that sign with a KMS
// key build this way; the default build, which customers use to verify,
// leaves the cloud SDKs out and falls back to sigstore-kms-<scheme> plugins.
import (
	_ "github.com/sigstore/sigstore/pkg/signature/kms/aws"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/azure"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/gcp"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/hashivault"
)
