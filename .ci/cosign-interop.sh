#!/usr/bin/env bash
# cosign-interop.sh — do sdlkit's bundles and keys work with cosign, both ways?
#
# Installs cosign through the Go module proxy (no other network), once: the
# binary is cached in $COSIGN_BIN_DIR (default $HOME/go/bin) and reused when it
# is the pinned version. Then, offline, with fresh keys and a random artifact:
#   a. sdlkit key generate + sdlkit sign --key  -> cosign verify-blob
#   b. cosign generate-key-pair + cosign sign-blob -> sdlkit verify
#   c. keys move: sdlkit signs with cosign's encrypted key, cosign with sdlkit's;
#      each tool prints the other's public key
#   d. a release manifest signed by sdlkit release sign -> cosign verify-blob, and
#      one signed by cosign sign-blob -> sdlkit release verify
#   e. sdlkit attest -> cosign verify-blob-attestation, cosign attest-blob ->
#      sdlkit verify --type
# and checks that each verifier rejects the artifact with one byte changed, so
# that no check passes by not looking. Exits non-zero on any mismatch.
#
# Usage: .ci/cosign-interop.sh   (from anywhere; SDLKIT=/path/to/sdlkit skips the build)
#
# Cosign flags, from cosign v3's source (cmd/cosign/cli/options, verify/common.go):
#   verify-blob --insecure-ignore-tlog=true with --key and without
#     --use-signed-timestamps verifies offline without fetching a trusted root.
#   sign-blob --use-signing-config=false --tlog-upload=false signs offline (the
#     signing config would be fetched over TUF); the bundle is a v0.3 bundle.
set -euo pipefail

COSIGN_MODULE=${COSIGN_MODULE:-github.com/sigstore/cosign/v3}
COSIGN_VERSION=${COSIGN_VERSION:-v3.1.3}
COSIGN_BIN_DIR=${COSIGN_BIN_DIR:-$HOME/go/bin}
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}

cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log() { echo "cosign-interop: $*" >&2; }

# install_cosign puts the pinned cosign in $COSIGN_BIN_DIR unless it is there.
install_cosign() {
	local bin=$COSIGN_BIN_DIR/cosign have=""
	if [[ -x $bin ]]; then
		have=$(go version -m "$bin" 2>/dev/null | awk '$1 == "mod" {print $2 "@" $3}')
	fi
	if [[ $have == "$COSIGN_MODULE@$COSIGN_VERSION" ]]; then
		log "using $bin ($have)"
	else
		log "installing $COSIGN_MODULE/cmd/cosign@$COSIGN_VERSION into $COSIGN_BIN_DIR (a few minutes, once)"
		mkdir -p "$COSIGN_BIN_DIR"
		# Outside sdlkit's module, so that cosign's own go.mod picks the toolchain.
		(cd "$work" && GOBIN=$COSIGN_BIN_DIR GOFLAGS= GOWORK=off go install "$COSIGN_MODULE/cmd/cosign@$COSIGN_VERSION")
	fi
	COSIGN=$bin
}

install_cosign
if [[ -z "${SDLKIT:-}" ]]; then
	SDLKIT=$work/sdlkit
	go build -o "$SDLKIT" ./cmd/sdlkit
fi

passed=0
failed=0
# check NAME CMD…: CMD must succeed.
check() {
	local name=$1
	shift
	if "$@" >"$work/out" 2>&1; then
		passed=$((passed + 1))
		log "ok    $name"
	else
		failed=$((failed + 1))
		log "FAIL  $name"
		sed 's/^/    /' "$work/out" >&2
	fi
}
# refute CODE NAME CMD…: CMD must fail with exit status CODE (1: a verifier
# rejecting what it checked; 2: sdlkit refusing unreadable input), so that a
# mistyped flag does not pass for a rejection.
refute() {
	local want=$1 name=$2 code=0
	shift 2
	"$@" >"$work/out" 2>&1 || code=$?
	if [[ $code -eq $want ]]; then
		passed=$((passed + 1))
		log "ok    $name (rejected, exit $code)"
	else
		failed=$((failed + 1))
		log "FAIL  $name (exit $code, want $want)"
		sed 's/^/    /' "$work/out" >&2
	fi
}

cd "$work"
head -c 100000 /dev/urandom >artifact.bin
cp artifact.bin tampered.bin
printf 'x' | dd of=tampered.bin bs=1 seek=500 conv=notrunc status=none
export SDLKIT_PASSWORD=sdlkit-interop-pw COSIGN_PASSWORD=cosign-interop-pw

cosign_verify() { # KEY BUNDLE FILE
	"$COSIGN" verify-blob --key "$1" --bundle "$2" --insecure-ignore-tlog=true "$3"
}
sdlkit_verify() { # KEY BUNDLE FILE [FLAGS…]
	"$SDLKIT" verify "$3" --key "$1" --bundle "$2" "${@:4}"
}
cosign_sign() { # KEY BUNDLE FILE
	"$COSIGN" sign-blob --yes --key "$1" --bundle "$2" --use-signing-config=false --tlog-upload=false "$3"
}
sdlkit_sign() { # KEY BUNDLE FILE
	"$SDLKIT" sign "$3" --key "$1" --bundle "$2"
}
same_public_key() { # PEM1 PEM2: the same PUBLIC KEY block, whatever the line wrapping
	local a b
	a=$(grep -v -- '-----' "$1" | tr -d ' \n') b=$(grep -v -- '-----' "$2" | tr -d ' \n')
	grep -q -- '-----BEGIN PUBLIC KEY-----' "$1" && grep -q -- '-----BEGIN PUBLIC KEY-----' "$2" && [[ -n $a && $a == "$b" ]]
}

# a. sdlkit signs, cosign verifies.
check "sdlkit key generate" "$SDLKIT" key generate --output-prefix sdlkit
check "sdlkit sign --key" sdlkit_sign sdlkit.key a.sdlkit.sigstore.json artifact.bin
check "cosign verify-blob of sdlkit's bundle" cosign_verify sdlkit.pub a.sdlkit.sigstore.json artifact.bin
refute 1 "cosign verify-blob of sdlkit's bundle, changed artifact" cosign_verify sdlkit.pub a.sdlkit.sigstore.json tampered.bin

# b. cosign signs, sdlkit verifies.
check "cosign generate-key-pair" "$COSIGN" generate-key-pair --output-key-prefix cosign
check "cosign sign-blob --bundle" cosign_sign cosign.key b.cosign.sigstore.json artifact.bin
check "cosign's bundle is a v0.3 bundle" grep -q 'application/vnd.dev.sigstore.bundle.v0.3+json' b.cosign.sigstore.json
check "sdlkit verify of cosign's bundle" sdlkit_verify cosign.pub b.cosign.sigstore.json artifact.bin
refute 1 "sdlkit verify of cosign's bundle, changed artifact" sdlkit_verify cosign.pub b.cosign.sigstore.json tampered.bin
refute 1 "sdlkit verify of cosign's bundle, sdlkit's key" sdlkit_verify sdlkit.pub b.cosign.sigstore.json artifact.bin

# c. keys move between the tools (each reads the other's encrypted key).
check "sdlkit sign with cosign.key" env SDLKIT_PASSWORD="$COSIGN_PASSWORD" "$SDLKIT" sign artifact.bin --key cosign.key --bundle c1.sigstore.json
check "cosign verify-blob, cosign.pub" cosign_verify cosign.pub c1.sigstore.json artifact.bin
check "cosign sign-blob with sdlkit.key" env COSIGN_PASSWORD="$SDLKIT_PASSWORD" "$COSIGN" sign-blob --yes --key sdlkit.key --bundle c2.sigstore.json --use-signing-config=false --tlog-upload=false artifact.bin
check "sdlkit verify, sdlkit.pub" sdlkit_verify sdlkit.pub c2.sigstore.json artifact.bin
refute 2 "sdlkit sign with cosign.key, wrong password" env SDLKIT_PASSWORD=wrong "$SDLKIT" sign artifact.bin --key cosign.key --bundle c3.sigstore.json
sdlkit_public_is() { # KEY PUB: sdlkit key public KEY prints PUB's key
	SDLKIT_PASSWORD=$COSIGN_PASSWORD "$SDLKIT" key public "$1" >"$1.pub-by-sdlkit" && same_public_key "$2" "$1.pub-by-sdlkit"
}
cosign_public_is() { # KEY PUB: cosign public-key --key KEY prints PUB's key
	COSIGN_PASSWORD=$SDLKIT_PASSWORD "$COSIGN" public-key --key "$1" >"$1.pub-by-cosign" && same_public_key "$2" "$1.pub-by-cosign"
}
check "sdlkit key public cosign.key = cosign.pub" sdlkit_public_is cosign.key cosign.pub
check "cosign public-key sdlkit.key = sdlkit.pub" cosign_public_is sdlkit.key sdlkit.pub

# e. attestations (in-toto statements in DSSE), both ways.
echo '{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}' >sbom.cdx.json
check "sdlkit attest --type cyclonedx" "$SDLKIT" attest artifact.bin --predicate sbom.cdx.json --type cyclonedx --key sdlkit.key --bundle e1.sigstore.json
check "cosign verify-blob-attestation of sdlkit's attestation" "$COSIGN" verify-blob-attestation --bundle e1.sigstore.json --key sdlkit.pub --insecure-ignore-tlog=true --type cyclonedx artifact.bin
refute 1 "cosign verify-blob-attestation of sdlkit's attestation, changed artifact" "$COSIGN" verify-blob-attestation --bundle e1.sigstore.json --key sdlkit.pub --insecure-ignore-tlog=true --type cyclonedx tampered.bin
check "cosign attest-blob --type cyclonedx" "$COSIGN" attest-blob --yes --key cosign.key --predicate sbom.cdx.json --type cyclonedx --bundle e2.sigstore.json --use-signing-config=false --tlog-upload=false artifact.bin
check "sdlkit verify --type cyclonedx of cosign's attestation" sdlkit_verify cosign.pub e2.sigstore.json artifact.bin --type cyclonedx
refute 1 "sdlkit verify --type openvex of cosign's cyclonedx attestation" sdlkit_verify cosign.pub e2.sigstore.json artifact.bin --type openvex
refute 1 "sdlkit verify of cosign's attestation, changed artifact" sdlkit_verify cosign.pub e2.sigstore.json tampered.bin --type cyclonedx

# d. a customer with only cosign checks sdlkit's release manifest.
mkdir -p dist/bin
cp artifact.bin dist/bin/app
echo "release notes" >dist/NOTES.txt
check "sdlkit release sign" "$SDLKIT" release sign dist --key sdlkit.key
check "cosign verify-blob of the release manifest" cosign_verify sdlkit.pub dist/sdlkit-release.json.sigstore.json dist/sdlkit-release.json
check "sdlkit release verify" "$SDLKIT" release verify dist --key sdlkit.pub
check "cosign sign-blob of the release manifest" cosign_sign cosign.key manifest.cosign.sigstore.json dist/sdlkit-release.json
check "sdlkit release verify with cosign's bundle" "$SDLKIT" release verify dist --key cosign.pub --bundle manifest.cosign.sigstore.json
echo "added later" >dist/EXTRA.txt
refute 1 "sdlkit release verify with cosign's bundle, extra file" "$SDLKIT" release verify dist --key cosign.pub --bundle manifest.cosign.sigstore.json

echo "cosign-interop: $("$COSIGN" version 2>/dev/null | awk '/GitVersion/ {print "cosign", $2}'), $passed passed, $failed failed" >&2
[[ $failed -eq 0 ]]
