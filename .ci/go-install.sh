#!/usr/bin/env bash
# Checks the README's install line, 'go install github.com/sdlkit/sdlkit/cmd/sdlkit@latest',
# as a user's machine runs it: the committed tree is packed as a module zip
# into a local GOPROXY directory (ahead of the real proxy, which serves the
# dependencies) and installed into a clean GOPATH with GOFLAGS=-mod=mod.
# go install refuses a module whose go.mod has replace or exclude
# directives; this fails if one comes back.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=auto

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
version=v0.0.0-$(date -u +%Y%m%d%H%M%S)-$(git rev-parse --short=12 HEAD)
git archive --format=tar HEAD | tar -x -C "$work" --one-top-level=src
go run ./.ci/modzip "$work/src" github.com/sdlkit/sdlkit "$version" "$work/proxy"

mkdir -p "$work/gopath"
GOPATH="$work/gopath" GOMODCACHE="$(go env GOMODCACHE)" GOFLAGS=-mod=mod \
	GOPROXY="file://$work/proxy,$(go env GOPROXY)" GONOSUMDB=github.com/sdlkit/sdlkit \
	go install github.com/sdlkit/sdlkit/cmd/sdlkit@latest
"$work/gopath/bin/sdlkit" --version
echo "go install github.com/sdlkit/sdlkit/cmd/sdlkit@latest: ok"
