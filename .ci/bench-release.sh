#!/usr/bin/env bash
# bench-release.sh — is `sdlkit release verify` bound by hashing?
#
# Makes a release of FILES files and SIZE_MB MiB in total (default 1,000 files,
# 1 GiB) in a temp dir, signs it with a fresh key, then times on the same files,
# in one run:
#   sdlkit release verify   (SHA-256 and SHA-512 of every file, in parallel)
#   sha256sum, sha512sum    (one process each, sequential: coreutils' speed)
#   sha256sum + sha512sum   (the work verify does, done by coreutils)
#   xargs -P NPROC sha256sum / sha512sum (coreutils with as many processes as cores)
# and prints MB/s and the ratio of verify's time to coreutils'. Files are read
# once before timing, so every tool hashes from the page cache: this measures
# hashing, not the disk.
#
# Usage: .ci/bench-release.sh            (from the module root)
#        FILES=100 SIZE_MB=100 .ci/bench-release.sh   (a quick run)
#        SDLKIT=/path/to/sdlkit .ci/bench-release.sh (skip the build)
set -euo pipefail

FILES=${FILES:-1000}
SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3} # each tool runs RUNS times, interleaved; the fastest run counts
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}

cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ -z "${SDLKIT:-}" ]]; then
	SDLKIT=$work/sdlkit
	go build -o "$SDLKIT" ./cmd/sdlkit
fi

rel=$work/release
mkdir -p "$rel"
total=$((SIZE_MB * 1024 * 1024))
per=$(((total + FILES - 1) / FILES))
echo "bench-release: making $FILES files of $per bytes ($SIZE_MB MiB) in $rel" >&2
head -c "$total" /dev/urandom >"$work/blob"
# Spread the files over ten subdirectories, as a release with bin/, docs/… would be.
(cd "$rel" && mkdir -p d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 &&
	split -b "$per" -a 4 -d "$work/blob" part- &&
	i=0 && for f in part-*; do mv "$f" "d$((i % 10))/$f.bin"; i=$((i + 1)); done)
rm "$work/blob"
nfiles=$(find "$rel" -type f | wc -l)
bytes=$(find "$rel" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')

export SDLKIT_PASSWORD=bench-release
"$SDLKIT" key generate --output-prefix "$work/key" >/dev/null 2>&1
"$SDLKIT" release sign "$rel" --key "$work/key.key" \
	--manifest "$work/manifest.json" --bundle "$work/manifest.json.sigstore.json" >/dev/null 2>&1

find "$rel" -type f -print0 | sort -z >"$work/list"
xargs -0 cat <"$work/list" >/dev/null # warm the page cache

now() { date +%s%N; }
# timeit NAME CMD…: runs CMD once and keeps the fastest time in S[NAME].
names=()
declare -A S
timeit() {
	local name=$1
	shift
	local t0 t1 secs
	t0=$(now)
	"$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
	t1=$(now)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b-a)/1e9}')
	if [[ -z ${S[$name]:-} ]]; then
		names+=("$name")
		S[$name]=$secs
	elif awk -v a="$secs" -v b="${S[$name]}" 'BEGIN {exit !(a < b)}'; then
		S[$name]=$secs
	fi
}

ncpu=$(nproc)
for ((run = 1; run <= RUNS; run++)); do
	timeit "sdlkit release verify" "$SDLKIT" release verify "$rel" --key "$work/key.pub" \
		--manifest "$work/manifest.json" --bundle "$work/manifest.json.sigstore.json"
	timeit "sha256sum" xargs -0 sha256sum <"$work/list"
	timeit "sha512sum" xargs -0 sha512sum <"$work/list"
	timeit "sha256sum -P$ncpu" xargs -0 -P "$ncpu" -n 50 sha256sum <"$work/list"
	timeit "sha512sum -P$ncpu" xargs -0 -P "$ncpu" -n 50 sha512sum <"$work/list"
done

echo "release of $nfiles files, $bytes bytes, $ncpu cores, best of $RUNS runs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for name in "${names[@]}"; do
	awk -v n="$name" -v s="${S[$name]}" -v by="$bytes" 'BEGIN {printf "%-24s %8.3f s %9.1f MB/s\n", n, s, by/1e6/s}'
done
awk -v v="${S[sdlkit release verify]}" -v a="${S[sha256sum]}" -v b="${S[sha512sum]}" \
	-v pa="${S[sha256sum -P$ncpu]}" -v pb="${S[sha512sum -P$ncpu]}" -v n="$ncpu" 'BEGIN {
	printf "verify time / (sha256sum + sha512sum) time:            %.2f\n", v/(a+b)
	printf "verify time / (sha256sum + sha512sum, %d procs) time:   %.2f\n", n, v/(pa+pb)
	printf "verify time / sha256sum time:                          %.2f\n", v/a
}'
