#!/usr/bin/env bash
# bench-go.sh: the Go benchmarks that read the whole shared corpora
# (../shared/fixtures, beside the checkout): SBOM validation and merging of
# the largest third-party SBOMs, release verification, bundle verification.
# They skip without SDLKIT_FIXTURES; the test suite never reads the corpora.
#
#   bash .ci/bench-go.sh                 # -benchtime 1s
#   BENCHTIME=10x bash .ci/bench-go.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=auto
export SDLKIT_FIXTURES=${SDLKIT_FIXTURES:-$(cd .. && pwd)/shared/fixtures}
if [ ! -d "$SDLKIT_FIXTURES" ]; then
	echo "bench-go.sh: no corpora at $SDLKIT_FIXTURES (set SDLKIT_FIXTURES)" >&2
	exit 2
fi
go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-1s}" ./sbom/... ./signing/...
