#!/usr/bin/env bash
# bench-startup.sh: how fast sdlkit starts. Release pipelines call sdlkit many
# times, and every call pays Go package initialisation before any command
# runs. Prints, for a fresh build of this checkout:
#  - 'sdlkit --version' against 'git --version', side by side in one
#    hyperfine run, and the ratio;
#  - the total of GODEBUG=inittrace=1 over RUNS runs (mean) and the packages
#    that cost most;
#  - whether the targets hold: init < 10 ms, --version < 20 ms wall.
# A benchmark, not a test: it exits 0 whatever the figures, non-zero only
# when sdlkit does not build. Not part of .ci/run.
#
#   bash .ci/bench-startup.sh
#   RUNS=100 TOP=20 bash .ci/bench-startup.sh
set -euo pipefail
export GOTOOLCHAIN=auto

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-30}
top=${TOP:-10}
init_target_ms=10
wall_target_ms=20
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

say() { printf '%s\n' "$*"; }

say "== build"
(cd "$repo" && go build -o "$work/sdlkit" ./cmd/sdlkit)
say "$("$work/sdlkit" --version | sed -n 1p), $(go env GOVERSION), $(nproc) cores"

# hyperfine from Debian when it is missing; without it the wall time is
# left out, not guessed.
if ! command -v hyperfine >/dev/null; then
	say "== installing hyperfine (apt-get)"
	sudo=""
	if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo=sudo; fi
	{ $sudo apt-get update -qq && $sudo apt-get install -y -qq hyperfine; } >"$work/apt.log" 2>&1 ||
		say "cannot install hyperfine: $(tail -1 "$work/apt.log")"
fi

wall_ms=""
say ""
say "== wall time: sdlkit --version vs git --version"
if ! command -v hyperfine >/dev/null; then
	say "skipped: no hyperfine"
elif ! command -v git >/dev/null; then
	say "skipped: no git to compare with"
else
	PATH="$work:$PATH" hyperfine -N --warmup 3 --export-csv "$work/wall.csv" \
		'sdlkit --version' 'git --version'
	# CSV: command,mean,stddev,median,user,system,min,max (seconds).
	read -r wall_ms git_ms < <(awk -F, '
		$1 == "sdlkit --version" { s = $2 * 1000 }
		$1 == "git --version" { g = $2 * 1000 }
		END { printf "%.1f %.1f\n", s, g }' "$work/wall.csv")
	say "$(awk -v s="$wall_ms" -v g="$git_ms" 'BEGIN {
		printf "sdlkit --version %.1f ms, git --version %.1f ms: sdlkit takes %.1f times as long", s, g, s / g }')"
fi

# One line per package: "init <pkg> @<start> ms, <clock> ms clock, ...".
say ""
say "== package initialisation: GODEBUG=inittrace=1 sdlkit --version, $runs runs"
for ((i = 0; i < runs; i++)); do
	GODEBUG=inittrace=1 "$work/sdlkit" --version 2>&1 >/dev/null | grep '^init ' || true
done >"$work/inittrace.txt"
init_ms=$(awk -v n="$runs" '{ t += $5 } END { printf "%.2f", t / n }' "$work/inittrace.txt")
packages=$(awk '{ print $2 }' "$work/inittrace.txt" | sort -u | wc -l)
say "mean total: $init_ms ms over $packages packages; the $top that cost most (mean ms):"
awk -v n="$runs" '{ ms[$2] += $5 } END { for (p in ms) printf "%8.3f  %s\n", ms[p] / n, p }' \
	"$work/inittrace.txt" | sort -rn | awk -v n="$top" 'NR <= n'

say ""
say "== targets"
verdict() { # name value target
	if [ -z "$2" ]; then
		say "$1: not measured (target < $3 ms)"
	elif awk -v v="$2" -v t="$3" 'BEGIN { exit !(v < t) }'; then
		say "$1: $2 ms, target < $3 ms: met"
	else
		say "$1: $2 ms, target < $3 ms: NOT met"
	fi
}
verdict "init total" "$init_ms" "$init_target_ms"
verdict "sdlkit --version wall" "$wall_ms" "$wall_target_ms"
