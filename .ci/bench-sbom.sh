#!/usr/bin/env bash
# bench-sbom.sh: time 'sdlkit sbom generate' against cyclonedx-gomod and syft
# on the same Go and npm lockfiles (../shared/fixtures/lockfiles), side by
# side in one run, and print the ratios. Slow (it builds both peers through
# the Go module proxy): not part of .ci/run.
#
#   bash .ci/bench-sbom.sh            # 10 runs each
#   RUNS=3 bash .ci/bench-sbom.sh
#
# Timing uses hyperfine when installed (apt-get install hyperfine), else the
# median of RUNS runs measured with date +%s%N.
set -euo pipefail
export GOTOOLCHAIN=auto

repo=$(cd "$(dirname "$0")/.." && pwd)
fixtures=${FIXTURES:-$repo/../shared/fixtures/lockfiles}
runs=${RUNS:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=$work/bin
mkdir -p "$bin"

say() { printf '%s\n' "$*" >&2; }

# The peers, built through the Go module proxy with this toolchain. A peer
# that does not build is reported and left out, not hidden.
peers=()
install_peer() { # name module
	if GOBIN=$bin go install "$2@latest" >"$work/$1.log" 2>&1; then
		peers+=("$1")
		say "built $1 $("$bin/$1" version 2>/dev/null | head -1 || true)"
	else
		say "cannot build $1 with $(go env GOVERSION): $(tail -3 "$work/$1.log" | tr '\n' ' ')"
	fi
}
install_peer cyclonedx-gomod github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod
install_peer syft github.com/anchore/syft/cmd/syft
(cd "$repo" && go build -o "$bin/sdlkit" ./cmd/sdlkit)

# The inputs, copied so that no tool sees another's output:
#  - go:sdlkit, sdlkit's own committed tree: a Go module with source, which
#    cyclonedx-gomod needs (its mod mode lists the modules the packages use,
#    and panics on a module without packages, such as the fixtures' bare
#    go.mod/go.sum); every module it needs is in the module cache already.
#  - go:prometheus, the fixture go.mod/go.sum (sdlkit and syft; the
#    cyclonedx-gomod run is shown failing).
#  - npm:cli, the fixture package-lock.json v3 with workspaces.
#  - all, every fixture lockfile (sdlkit alone: the 1 s budget).
copy() { mkdir -p "$work/in/$1" && cp -R "$fixtures/$1/." "$work/in/$1/"; }
for d in prometheus+prometheus npm+cli; do copy "$d"; done
mkdir -p "$work/in/sdlkit"
git -C "$repo" archive HEAD | tar -x -C "$work/in/sdlkit"

# median_ms CMD...: the median wall time of $runs runs, in milliseconds.
median_ms() {
	local times=() i start end
	"$@" >/dev/null 2>&1 || true # warm-up: caches, module downloads
	for ((i = 0; i < runs; i++)); do
		start=$(date +%s%N)
		"$@" >/dev/null 2>&1 || return 1
		end=$(date +%s%N)
		times+=($(((end - start) / 1000000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# time_ms NAME CMD...: hyperfine's median when available, else median_ms.
time_ms() {
	local name=$1
	shift
	if command -v hyperfine >/dev/null; then
		hyperfine --warmup 1 --runs "$runs" --export-json "$work/h.json" -N -- "$(printf '%q ' "$@")" >/dev/null 2>&1 || return 1
		python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$work/h.json"
	else
		median_ms "$@"
	fi
}

components() { # count components in a CycloneDX JSON file
	python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("components", [])))' "$1" 2>/dev/null || echo "?"
}

row() { # input tool ms file
	printf '%-12s %-16s %8s ms %6s components\n' "$1" "$2" "$3" "$(components "$4")"
}

ratio() { # peer_ms sdlkit_ms
	awk -v p="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1fx", p / s; else print "-" }'
}

say "timing: $runs runs each, $(command -v hyperfine >/dev/null && echo hyperfine || echo 'date +%s%N loop'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %-16s %11s %17s\n' input tool median size

bench_input() { # label dir peers...
	local label=$1 dir=$2 s ms
	shift 2
	s=$(time_ms sdlkit "$bin/sdlkit" sbom generate "$dir" -o "$work/sdlkit.json")
	"$bin/sdlkit" sbom generate "$dir" -o "$work/sdlkit.json"
	row "$label" sdlkit "$s" "$work/sdlkit.json"
	for p in "$@"; do
		case "$p" in
		cyclonedx-gomod) cmd=("$bin/cyclonedx-gomod" mod -json -output "$work/peer.json" "$dir") ;;
		syft) cmd=("$bin/syft" scan "dir:$dir" -q -o "cyclonedx-json=$work/peer.json") ;;
		esac
		if ms=$(time_ms "$p" "${cmd[@]}"); then
			row "$label" "$p" "$ms" "$work/peer.json"
			printf '%-12s %-16s %s slower than sdlkit\n' "$label" "$p" "$(ratio "$ms" "$s")"
		else
			printf '%-12s %-16s failed: %s\n' "$label" "$p" "$("${cmd[@]}" 2>&1 | grep -m1 -E 'panic|ERR|error' || true)"
		fi
	done
}

have() { [[ " ${peers[*]} " == *" $1 "* ]]; }
go_peers=() npm_peers=()
have cyclonedx-gomod && go_peers+=(cyclonedx-gomod)
have syft && go_peers+=(syft) && npm_peers+=(syft)

bench_input go:sdlkit "$work/in/sdlkit" "${go_peers[@]}"
bench_input go:prometheus "$work/in/prometheus+prometheus" "${go_peers[@]}"
bench_input npm:cli "$work/in/npm+cli" "${npm_peers[@]}"
bench_input all "$fixtures"
