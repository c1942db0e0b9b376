#!/usr/bin/env bash
# release-assets.sh BIN_DIR EVIDENCE_DIR OUT_DIR — gather what sdlkit's GitHub
# release publishes, flat, into OUT_DIR:
#
#   sdlkit_<os>_<arch>[.exe], SHA256SUMS      from BIN_DIR (.ci/build-release.sh)
#   <each of those>.sigstore.json             its bundle, from EVIDENCE_DIR/release/signatures
#                                             (what setup-sdlkit downloads and verifies)
#   sbom.cdx.json                             the release's SBOM
#   sdlkit-<version>-evidence.tar.gz          the whole evidence folder (sdlkit run's), for
#                                             'sdlkit release verify', packed reproducibly
#
# Fails when SHA256SUMS does not match the binaries or a file has no bundle.
# release.yml runs it before publishing; .ci/workflow-local.sh runs it on
# its local release, so the gathering is tested before a release needs it.
set -euo pipefail
if [[ $# -ne 3 ]]; then
	echo "usage: release-assets.sh BIN_DIR EVIDENCE_DIR OUT_DIR" >&2
	exit 2
fi
bin=$1 evidence=$2 out=$3
log() { echo "release-assets: $*" >&2; }

version=$(jq -r .version "$evidence/index.json")
[[ -n $version && $version != null ]] || { log "$evidence/index.json names no version"; exit 1; }
mkdir -p "$out"
(cd "$bin" && sha256sum --check --strict --quiet SHA256SUMS)
for f in "$bin"/*; do
	name=$(basename "$f")
	cp "$f" "$out/$name"
	bundle=$evidence/release/signatures/$name.sigstore.json
	if [[ ! -f $bundle ]]; then
		log "no bundle for $name in $evidence/release/signatures"
		exit 1
	fi
	cp "$bundle" "$out/"
done
cp "$evidence/release/sbom.cdx.json" "$out/"

# Reproducible: names sorted, times and owners fixed, no gzip timestamp.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
	-C "$(dirname "$evidence")" -cf - "$(basename "$evidence")" | gzip -n >"$out/sdlkit-$version-evidence.tar.gz"
log "$(find "$out" -maxdepth 1 -type f | wc -l) assets for $version in $out"
