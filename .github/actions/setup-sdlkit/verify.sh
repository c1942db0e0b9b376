#!/usr/bin/env bash
# verify.sh FILE BUNDLE VERSION — is FILE an sdlkit release binary, signed
# keyless by sdlkit's own release at tag VERSION? Checked with cosign (on
# PATH, or $COSIGN) against the Sigstore public-good instance.
#
# Used by setup-sdlkit before it runs a downloaded sdlkit, and by
# .github/workflows/release.yml on the fresh bundles before it publishes
# them, so that a release whose signatures this action would refuse is never
# published.
#
# Who signs: release.yml builds the binaries and calls the reusable workflow
# sdlkit-release.yml, whose job signs them. Fulcio names the workflow that
# ran the signing job in the certificate's identity (SAN: the
# job_workflow_ref claim), so the identity is sdlkit-release.yml at the tag,
# not release.yml. Because any repository may call sdlkit's reusable
# workflow at that tag, the identity alone does not say whose release it
# was: the repository (sdlkit/sdlkit), the ref (the tag) and the trigger
# (the tag's push) are checked too; they come from the caller's claims.
set -euo pipefail
if [[ $# -ne 3 ]]; then
	echo "usage: verify.sh FILE BUNDLE VERSION" >&2
	exit 2
fi
file=$1 bundle=$2 version=$3
repo=sdlkit/sdlkit

"${COSIGN:-cosign}" verify-blob "$file" \
	--bundle "$bundle" \
	--certificate-identity "https://github.com/$repo/.github/workflows/sdlkit-release.yml@refs/tags/$version" \
	--certificate-oidc-issuer https://token.actions.githubusercontent.com \
	--certificate-github-workflow-repository "$repo" \
	--certificate-github-workflow-ref "refs/tags/$version" \
	--certificate-github-workflow-trigger push
