#!/usr/bin/env bash
# build-release.sh — sdlkit's release binaries, built so that anyone can
# rebuild them bit for bit from the tagged commit.
#
# Usage: .ci/build-release.sh [--check [--warm-cache] [OS/ARCH...]]
#
# Builds sdlkit_<os>_<arch>[.exe] for linux, darwin and windows on amd64 and
# arm64 into dist/release/ (or $OUT) with a SHA256SUMS file. The release
# workflow (.github/workflows/release.yml) runs this script; so can you.
#
# --check then rebuilds from a fresh clone of HEAD in another directory, by
# that clone's copy of this script in a new process (so every flag, date and
# path is worked out again), in another time zone and locale, with an empty
# GOCACHE (so nothing cached can make two builds agree), and fails when any
# binary's SHA-256 differs. Without OS/ARCH arguments it rebuilds
# all six, as the release does; an empty cache costs 3-5 minutes per
# platform on 2 cores. --warm-cache rebuilds with the usual GOCACHE instead
# (seconds): that still catches a build that depends on its directory, the
# clock or the environment (the script's flags), but not a cache or compiler
# that is not deterministic; .ci/run uses it, the GitHub CI and the release
# do not. --check needs a committed tree: a build from uncommitted changes
# says +dirty in its version and cannot be reproduced.
#
# What makes the build reproducible:
#   - the Go toolchain go.mod names (its toolchain line, else its go line),
#     whatever Go is installed: GOTOOLCHAIN fetches that exact release from
#     the module proxy, checked by the checksum database;
#   - CGO_ENABLED=0, -trimpath (no build paths), -ldflags '-buildid= -s -w',
#     GOAMD64/GOARM64 at their defaults, no GOEXPERIMENT, no go.work;
#   - -buildvcs=true: the version comes from git, not from -ldflags -X.
#     cmd/sdlkit/version.go reads debug.ReadBuildInfo(): on a clean checkout of
#     a tag vX.Y.Z the toolchain stamps the module version vX.Y.Z, otherwise a
#     pseudo-version (v0.0.0-<commit time>-<commit>), with +dirty for
#     uncommitted changes; vcs.revision, vcs.time (the commit's time) and
#     vcs.modified come from the same commit, so they are reproducible too.
#     This machine's go env sets GOFLAGS=-buildvcs=false; we override it.
#   - SOURCE_DATE_EPOCH: the commit's time, given to the binaries' mtimes so
#     that archives made from them do not depend on when they were built.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=auto

all_platforms=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)
# BUILD_PLATFORMS (space-separated) narrows the build: only for --check's
# rebuild, which builds what it compares.
read -r -a platforms <<<"${BUILD_PLATFORMS:-${all_platforms[*]}}"
out=${OUT:-dist/release}

usage() { sed -n '4,20p' "$0" | sed 's/^# \{0,1\}//'; }
log() { echo "build-release: $*" >&2; }

check=false
warm=false
check_platforms=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--check) check=true ;;
	--warm-cache) warm=true ;;
	-h | --help) usage; exit 0 ;;
	*/*)
		[[ " ${all_platforms[*]} " == *" $1 "* ]] || { log "unknown platform $1 (one of: ${all_platforms[*]})"; exit 2; }
		check_platforms+=("$1")
		;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
if [[ (${#check_platforms[@]} -gt 0 || $warm == true) && $check == false ]]; then
	log "OS/ARCH arguments and --warm-cache are for --check; the release always has all six"
	exit 2
fi
[[ ${#check_platforms[@]} -gt 0 ]] || check_platforms=("${all_platforms[@]}")

# The toolchain go.mod names, pinned exactly.
toolchain=$(awk '$1 == "toolchain" {print $2}' go.mod)
[[ -n $toolchain ]] || toolchain=go$(awk '$1 == "go" {print $2}' go.mod)
export GOTOOLCHAIN=$toolchain
export CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=true -mod=readonly" GOWORK=off
export GOAMD64=v1 GOARM64=v8.0 GOEXPERIMENT='' GOFIPS140=off
ldflags='-buildid= -s -w'

SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
export SOURCE_DATE_EPOCH

# The tag the release is for, when HEAD is exactly a v* tag and clean.
dirty=$(git status --porcelain)
tag=$(git describe --exact-match --tags --match 'v*' HEAD 2>/dev/null || true)

# build SRC DIR PLATFORM...: build each platform from the checkout SRC into DIR
# and write DIR/SHA256SUMS.
build() {
	local src=$1 dir=$2 p os arch name start
	shift 2
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	for p in "$@"; do
		os=${p%/*} arch=${p#*/}
		name=sdlkit_${os}_${arch}
		[[ $os == windows ]] && name+=.exe
		start=$SECONDS
		(cd "$src" && GOOS=$os GOARCH=$arch go build -ldflags "$ldflags" -o "$dir/$name" ./cmd/sdlkit)
		touch -d "@$SOURCE_DATE_EPOCH" "$dir/$name"
		log "$name $(sha256sum "$dir/$name" | cut -c1-16)… ($((SECONDS - start))s)"
	done
	(cd "$dir" && sha256sum sdlkit_* >SHA256SUMS)
}

# module_version FILE: the version the toolchain stamped into a binary.
module_version() { go version -m "$1" | awk '$1 == "mod" {print $3; exit}'; }

log "$(go version) (GOTOOLCHAIN=$GOTOOLCHAIN), commit $(git rev-parse --short=12 HEAD)${tag:+, tag $tag}, SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
[[ -z $dirty ]] || log "warning: uncommitted changes: the version says +dirty and the build is not reproducible"
rm -rf "$out"
start=$SECONDS
build . "$out" "${platforms[@]}"
log "built ${#platforms[@]} binaries into $out in $((SECONDS - start))s"

first=$(find "$out" -name 'sdlkit_*' | sort | head -n 1)
version=$(module_version "$first")
log "version $version"
if [[ -n $tag && -z $dirty && $version != "$tag" ]]; then
	# A tag v2 and up needs a /v2 module path, or the toolchain ignores it.
	log "HEAD is tagged $tag but the binaries say $version"
	exit 1
fi

$check || exit 0

if [[ -n $dirty ]]; then
	log "--check rebuilds HEAD, which differs from the work tree (git status); commit first"
	exit 1
fi
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
git clone --quiet --no-hardlinks . "$work/elsewhere/src"
git -C "$work/elsewhere/src" checkout --quiet --detach "$(git rev-parse HEAD)"
start=$SECONDS
how="an empty GOCACHE"
cache=$work/gocache
if $warm; then
	how="the usual GOCACHE"
	cache=$(go env GOCACHE)
fi
(cd "$work/elsewhere/src" && umask 077 && TZ=Pacific/Chatham LC_ALL=C GOCACHE=$cache OUT=$work/out \
	BUILD_PLATFORMS="${check_platforms[*]}" bash .ci/build-release.sh)
log "rebuilt ${#check_platforms[@]} in another directory, process, time zone and locale, with $how, in $((SECONDS - start))s"

status=0
while read -r sum name; do
	want=$(awk -v n="$name" '$2 == n {print $1}' "$out/SHA256SUMS")
	if [[ $sum == "$want" ]]; then
		log "reproducible: $name sha256:$sum"
	else
		log "NOT reproducible: $name: sha256:$want, rebuilt sha256:$sum"
		status=1
	fi
done <"$work/out/SHA256SUMS"
exit $status
