#!/usr/bin/env bash
# actionlint.sh — lint sdlkit's GitHub Actions: every workflow with actionlint
# (its expression, permission, input and script-injection checks, and the
# run: scripts through shellcheck when shellcheck is on PATH), and the
# composite action's steps with shellcheck through 'ghrun lint-action'
# (actionlint reads only workflows). Also checks that every uses: is pinned by
# a full commit SHA with a # vX.Y.Z comment.
#
# actionlint is installed through the Go module proxy (checked by the Go
# checksum database) into a cache directory, once per version.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=auto

ACTIONLINT_VERSION=${ACTIONLINT_VERSION:-v1.7.12}
bin_dir=${ACTIONLINT_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sdlkit-ci/actionlint-$ACTIONLINT_VERSION}
log() { echo "actionlint.sh: $*" >&2; }

if [[ ! -x $bin_dir/actionlint ]]; then
	log "installing github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION into $bin_dir"
	mkdir -p "$bin_dir"
	# Outside sdlkit's module, so that actionlint's own go.mod decides.
	(cd "$bin_dir" && GOBIN=$bin_dir GOFLAGS="" GOWORK=off go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION")
fi
actionlint=$bin_dir/actionlint

status=0
if command -v shellcheck >/dev/null; then
	log "$("$actionlint" --version | head -n 1), $(shellcheck --version | sed -n 2p)"
else
	log "warning: no shellcheck on PATH: run: scripts go unchecked (apt-get install shellcheck)"
fi
"$actionlint" -no-color .github/workflows/*.yml || status=1

if command -v shellcheck >/dev/null; then
	go run ./.ci/ghrun lint-action .github/actions/*/action.yml || status=1
	shellcheck .github/actions/*/*.sh .ci/build-release.sh .ci/actionlint.sh .ci/release-assets.sh .ci/workflow-local.sh || status=1
else
	status=1
	log "the composite action's steps need shellcheck"
fi

# Pins: owner/repo[/path]@<40 hex> # vX.Y.Z, in workflows and actions alike.
while IFS= read -r line; do
	if ! [[ $line =~ uses:\ *(\./|[^@\ ]+@[0-9a-f]{40}\ +#\ v[0-9]+\.[0-9]+\.[0-9]+) ]]; then
		log "not pinned by commit SHA with a # vX.Y.Z comment: $line"
		status=1
	fi
done < <(grep -Hn 'uses:' .github/workflows/*.yml .github/actions/*/action.yml | grep -v '^[^:]*:[0-9]*: *#')

[[ $status -eq 0 ]] && log "ok"
exit $status
