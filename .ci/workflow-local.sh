#!/usr/bin/env bash
# workflow-local.sh — run the reusable workflow .github/workflows/sdlkit-release.yml
# on this machine with .ci/ghrun, on sdlkit's own source, offline, and check
# what it leaves: so that a broken step fails in sdlkit's CI and not in a
# supplier's release.
#
# What runs is the work tree's tracked files (committed or not: git stash
# create), pushed as a tag v0.0.0-local into a scratch bare repository that
# stands in for GitHub: the jobs check it out, and the ledger job pushes the
# sdlkit-ledger branch to it. The built file is sdlkit itself (linux/amd64),
# handed to the workflow as an artifact of an earlier job. The advisories are
# the bundled samples (as .ci/quickstart imports them); keyless signing
# needs GitHub's OIDC token, so the run signs with a throwaway key through the
# workflow's signing-key input. The workflow runs twice: the second run
# starts from the ledger the first one pushed.
#
# Checks: both runs pass with decision "pass"; the step summary is index.md;
# the SARIF is 2.1.0; the evidence artifact has the index, the SBOM, the scan,
# the checkpoint and the bundles; a bundle and the signed manifest verify;
# .ci/release-assets.sh gathers a release from it as release.yml would; the
# remote's sdlkit-ledger branch grows by each run's records and verifies.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=auto

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
log() { echo "workflow-local: $*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

go build -o "$work/sdlkit" ./cmd/sdlkit
sdlkit() { "$work/sdlkit" "$@"; }
if ! sdlkit run --help 2>&1 | grep -q '^  sdlkit run'; then
	log "sdlkit has no 'run' command yet: the reusable workflow's main step cannot run."
	log "(sdlkit run is being written on main; merge it, then this runs the workflow for real.)"
	exit 1
fi
go build -o "$work/ghrun" ./.ci/ghrun

# The repository as GitHub would hold it: the work tree's tracked files at a tag.
rev=$(git stash create 2>/dev/null || true)
rev=${rev:-$(git rev-parse HEAD)}
git init -q --bare "$work/remote.git"
git push -q "$work/remote.git" "$rev:refs/heads/main" "$rev:refs/tags/v0.0.0-local"

# The caller's earlier job: the built files, uploaded as an artifact.
mkdir -p "$work/binaries"
go build -o "$work/binaries/sdlkit_linux_amd64" ./cmd/sdlkit
(cd "$work/binaries" && sha256sum sdlkit_* >SHA256SUMS)

# A throwaway key for the signing-key input (keyless needs GitHub's OIDC).
export SDLKIT_PASSWORD=workflow-local-only
mkdir -p "$work/key"
sdlkit key generate --output-prefix "$work/key/release" 2>/dev/null

# The triage sdlkit's own release ships (see .github/release.vex.json).
adv=vulnmgmt/testdata/advisories
run_workflow() {
	local out=$1
	"$work/ghrun" run --repo "$work/remote.git" --ref refs/tags/v0.0.0-local --repository sdlkit/sdlkit \
		--workflow .github/workflows/sdlkit-release.yml --dir "$out" --summary "$out/summary.md" \
		--artifact "binaries=$work/binaries" \
		--input artifact-name=binaries \
		--input fetch-advisories=false \
		--input "advisories=$adv/Go-all.zip
$adv/npm-all.zip
$adv/crates.io-all.zip
$adv/PyPI" \
		--input vex=.github/release.vex.json \
		--input max-age=off \
		--input "signing-key=$work/key/release.key" \
		--secret "signing-key-password=$SDLKIT_PASSWORD" \
		>"$out.json"
}

records=0
for n in 1 2; do
	out=$work/run$n
	mkdir -p "$out"
	start=$SECONDS
	run_workflow "$out" || fail "run $n: ghrun exited $? (outputs: $(cat "$out.json" 2>/dev/null))"
	log "run $n: $((SECONDS - start))s"

	self=$(jq -r '.jobs.evidence.outputs["sdlkit-repository"]' "$out.json")
	[[ $self == sdlkit/sdlkit ]] || fail "run $n: the workflow found itself in '$self', not sdlkit/sdlkit"
	[[ ! -e $out/jobs/evidence/workspace/.sdlkit-workflow/go.mod ]] ||
		fail "run $n: sdlkit's own source lies in the caller's workspace, where the SBOM would take it in"
	decision=$(jq -r .outputs.decision "$out.json")
	[[ $decision == pass ]] || fail "run $n: decision '$decision', want pass"
	name=$(jq -r '.outputs["evidence-artifact"]' "$out.json")
	evidence=$out/artifacts/$name
	[[ -d $evidence ]] || fail "run $n: no evidence artifact '$name' was uploaded"
	for f in index.json index.md checkpoint.sigstore.json release/scan.sarif release/scan.json release/sbom.cdx.json; do
		[[ -s $evidence/$f ]] || fail "run $n: the evidence artifact lacks $f"
	done
	[[ $(jq -r .version "$evidence/release/scan.sarif") == 2.1.0 ]] || fail "run $n: scan.sarif is not SARIF 2.1.0"
	cmp -s "$evidence/index.md" "$out/summary.md" || fail "run $n: the step summary is not index.md"
	bundle=$evidence/release/signatures/sdlkit_linux_amd64.sigstore.json
	[[ -f $bundle ]] || fail "run $n: no bundle for sdlkit_linux_amd64 in the evidence"
	sdlkit verify "$work/binaries/sdlkit_linux_amd64" --bundle "$bundle" --key "$work/key/release.pub" 2>/dev/null ||
		fail "run $n: the binary's bundle does not verify with the key"
	sdlkit release verify "$evidence/release" --key "$work/key/release.pub" 2>/dev/null ||
		fail "run $n: the signed release manifest does not verify"
	# What release.yml would publish from it.
	bash .ci/release-assets.sh "$work/binaries" "$evidence" "$out/assets" ||
		fail "run $n: release-assets.sh could not gather the release"
	for f in sdlkit_linux_amd64 sdlkit_linux_amd64.sigstore.json SHA256SUMS SHA256SUMS.sigstore.json \
		sbom.cdx.json sdlkit-v0.0.0-local-evidence.tar.gz; do
		[[ -s $out/assets/$f ]] || fail "run $n: the release assets lack $f"
	done
	# Run 1 records the release and the ledger job pushes it; run 2, from
	# a fresh checkout of the same commit, finds every piece in the ledger,
	# records nothing and has nothing to push.
	ledger_job=$(jq -r .jobs.ledger.result "$out.json")
	if ((n == 1)); then
		[[ $ledger_job == success ]] || fail "run 1: the ledger job did not run ($ledger_job)"
	else
		[[ $ledger_job == skipped ]] || fail "run 2: the ledger job ran ($ledger_job): the rerun recorded something again"
		grep -q ' 0 new records' "$evidence/index.md" 2>/dev/null || jq -e '[.ledger.records[] | select(.new)] | length == 0' "$evidence/index.json" >/dev/null ||
			fail "run 2: the rerun recorded pieces again"
	fi

	git -C "$work/remote.git" rev-parse -q --verify refs/heads/sdlkit-ledger >/dev/null ||
		fail "run $n: the remote has no sdlkit-ledger branch"
	sdlkit ledger verify --ledger "$work/remote.git" --key "$work/key/release.pub" >/dev/null || fail "run $n: the pushed ledger does not verify"
	before=$records
	records=$(sdlkit ledger log --ledger "$work/remote.git" --format json | jq length)
	if ((n == 1)); then
		((records > before)) || fail "run 1: the remote ledger has $records records, no more than before ($before)"
	else
		((records == before)) || fail "run 2: the remote ledger went from $before to $records records"
	fi
	log "run $n: the remote ledger holds $records records"
done
log "ok"
