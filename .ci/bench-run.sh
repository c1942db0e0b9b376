#!/usr/bin/env bash
# Measures 'sdlkit run' on sdlkit's own source, offline with the bundled
# sample advisories and a key (the issue's target: under 10 s wall, the Go
# build of the artifact not counted), and how the time splits over the
# steps. Each round starts from nothing (new store, new ledger, new
# evidence folder: the first release), then runs again (the idempotent
# rerun: every piece taken from the ledger). Prints the median of ROUNDS.
#   ROUNDS=5 bash .ci/bench-run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=auto
rounds=${ROUNDS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/sdlkit" ./cmd/sdlkit
export SDLKIT_PASSWORD=bench-only
"$tmp/sdlkit" key generate --output-prefix "$tmp/k" 2>/dev/null
adv=vulnmgmt/testdata/advisories
export SOURCE_DATE_EPOCH="$(git log -1 --format=%ct 2>/dev/null || echo 0)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $("$tmp/sdlkit" --version | head -1)"

run() {
	"$tmp/sdlkit" run --artifact "$tmp/sdlkit" --version bench --key "$tmp/k.key" \
		--import "$adv/Go-all.zip" --import "$adv/npm-all.zip" --import "$adv/crates.io-all.zip" --import "$adv/PyPI" \
		--db "$tmp/r/db" --ledger "$tmp/r/ledger.git" --evidence-dir "$tmp/r/evidence" --max-age off >/dev/null 2>"$tmp/err" ||
		{ cat "$tmp/err" >&2; exit 1; }
}
ms() { echo $(( $(date +%s%N) / 1000000 )); }
: >"$tmp/first"; : >"$tmp/second"; : >"$tmp/steps"
for i in $(seq "$rounds"); do
	rm -rf "$tmp/r"
	t0=$(ms); run; t1=$(ms)
	echo $((t1 - t0)) >>"$tmp/first"
	python3 -c 'import json,sys; [print(s["name"], s["ms"]) for s in json.load(open(sys.argv[1]))["steps"]]' "$tmp/r/evidence/index.json" >>"$tmp/steps"
	t0=$(ms); run; t1=$(ms)
	echo $((t1 - t0)) >>"$tmp/second"
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "sdlkit run, first release (new store, ledger, folder): median $(median <"$tmp/first") ms wall of $rounds (target < 10000 ms)"
echo "sdlkit run, again (idempotent, all from the ledger):   median $(median <"$tmp/second") ms wall"
echo "step split of the first run (median ms):"
for s in prepare advisories sbom scan sign attest policy release record; do
	printf '  %-10s %5s\n' "$s" "$(awk -v s="$s" '$1==s {print $2}' "$tmp/steps" | median)"
done
