#!/bin/sh
# pack.sh DIR [NAME...]: packs the files or folders NAME (default: all) of
# the folder DIR into DIR.tar.gz, reproducibly, and removes them from DIR.
# Tests read such a folder through sbomtest.Tree, which unpacks DIR.tar.gz
# into DIR again (sbomtest.Unpack reads one archive alone).
set -eu
dir=${1%/}
shift
[ $# -gt 0 ] || set -- $(ls -A "$dir")
tar -C "$dir" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=a+rX,u+w,go-w \
	--format=ustar -cf - "$@" | gzip -n -9 >"$dir.tar.gz"
(cd "$dir" && rm -r -- "$@")
rmdir "$dir" 2>/dev/null || true
