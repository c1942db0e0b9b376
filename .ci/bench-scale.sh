#!/usr/bin/env bash
# bench-scale.sh: how sdlkit's advisory store scales with the number of
# advisories. A synthetic OSV export (.ci/synthosv: seeded, ten ecosystems,
# records of about 1.5 KB like the real ones, one all.zip per ecosystem) of
# SIZES advisories is imported into a copy of the store of the ~7,000 real
# advisories of ../shared/fixtures/osv; then the SBOM of
# ../shared/fixtures/lockfiles (sbom generate --include-dev, about 3,000
# components) is scanned against every store. A few hundred synthetic
# records (HITS) name the SBOM's packages, the same ones at every size, so
# the scans have findings and alias groups at scale; the rest name made-up
# packages. Prints, per store size:
#  - the import of the export: wall, CPU, peak RSS (one run per size);
#  - the store on disk: file size, allocated size, bytes per record, and
#    how the pages are used (records, packages and aliases buckets);
#  - the scan: warm (RUNS runs, the stores interleaved round by round) and
#    cold (COLD_RUNS runs, the page cache dropped before each, when this
#    machine lets us write /proc/sys/vm/drop_caches);
#  - the targets: the import of 300,000 under 3 minutes; the scan against
#    the largest store within 2x of the scan against the ~7,000 (wall, and
#    CPU time, which a shared machine disturbs less);
#  - with PROFILE=1, where an import of PROFILE_SIZE (100000) synthetic
#    advisories spends its time: the rate as the store grows, a CPU
#    profile (.ci/importprof).
# Everything generated lives in a temporary directory, removed at the end
# (about 1.5 GB at the default sizes). Offline; reads ../shared/fixtures
# (beside the checkout; FIXTURES=DIR overrides). A benchmark, not a test:
# exit 0 whatever the figures (a missed target prints MISSED), non-zero
# only when something cannot be built or run. Not part of .ci/run.
#
#   bash .ci/bench-scale.sh
#   SIZES="30000 300000" RUNS=5 COLD_RUNS=0 bash .ci/bench-scale.sh
#   SIZES=30000 PROFILE=1 PROFILE_SIZE=30000 bash .ci/bench-scale.sh
set -euo pipefail
export GOTOOLCHAIN=auto

repo=$(cd "$(dirname "$0")/.." && pwd)
fixtures=${FIXTURES:-$(cd "$repo/.." && pwd)/shared/fixtures}
sizes=${SIZES:-30000 100000 300000}
runs=${RUNS:-10}
cold_runs=${COLD_RUNS:-3}
seed=${SEED:-1}
hits=${HITS:-200}
profile=${PROFILE:-0}
profile_n=${PROFILE_SIZE:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=$work/bin
mkdir -p "$bin"
for d in "$fixtures/osv" "$fixtures/lockfiles"; do
	[ -d "$d" ] || { echo "bench-scale.sh: no fixtures at $d (set FIXTURES)" >&2; exit 2; }
done

say() { printf '%s\n' "$*"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

say "== build"
(cd "$repo" && go build -o "$bin/sdlkit" ./cmd/sdlkit && go build -o "$bin/osvbench" ./.ci/osvbench &&
	go build -o "$bin/synthosv" ./.ci/synthosv)
sdlkit=$bin/sdlkit
osvbench=$bin/osvbench
say "$("$sdlkit" --version | sed -n 1p), $(go env GOVERSION), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"

sbom=$work/lockfiles.cdx.json
"$sdlkit" sbom generate "$fixtures/lockfiles" --include-dev -o "$sbom"
say "SBOM: $(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["components"]))' "$sbom") components (../shared/fixtures/lockfiles, --include-dev)"

records() { "$sdlkit" advisories status --db "$1" --format json | python3 -c 'import json, sys; print(json.load(sys.stdin)["records"])'; }
# table row per store: name records export-bytes import-tsv-or-empty
printf '%s\n' "store|records|imported|export MiB|import wall s|import CPU s|records/s (CPU)|import peak RSS MiB|store file MiB|allocated MiB|bytes a record" >"$work/growth.psv"
store_row() { # name dir imported export-bytes import.tsv
	local n file alloc wall cpu rss
	n=$(records "$2")
	file=$(stat -c %s "$2/store.db")
	alloc=$(du -k "$2/store.db" | awk '{ print $1 * 1024 }')
	IFS=$'\t' read -r _ _ wall _ _ _ _ cpu _ rss <"$5"
	printf '%s|%s|%s|%s|%.1f|%.1f|%.0f|%.0f|%s|%s|%.0f\n' "$1" "$n" "$3" "$(mib "$4")" "$(awk -v v="$wall" 'BEGIN { print v / 1000 }')" \
		"$(awk -v v="$cpu" 'BEGIN { print v / 1000 }')" "$(awk -v k="$3" -v v="$cpu" 'BEGIN { print k / v * 1000 }')" \
		"$(awk -v v="$rss" 'BEGIN { print v / 1024 }')" \
		"$(mib "$file")" "$(mib "$alloc")" "$(awk -v f="$file" -v n="$n" 'BEGIN { print f / n }')" >>"$work/growth.psv"
	say "store $1: $n records"
	"$osvbench" storestats "$2/store.db"
}

say ""
say "== store of the real advisories: import $fixtures/osv"
"$osvbench" measure -runs 1 -warmup 0 -tsv "$work/import-7k.tsv" -- \
	"import fixtures" "$sdlkit" advisories import "$fixtures/osv" --db "$work/db-7k"
fixture_bytes=$(du -sb "$fixtures/osv" | awk '{ print $1 }')
store_row "7k (fixtures)" "$work/db-7k" "$(records "$work/db-7k")" "$fixture_bytes" "$work/import-7k.tsv"
stores=("7k (fixtures)|$work/db-7k")

for n in $sizes; do
	say ""
	say "== $n synthetic advisories (seed $seed, $hits on the SBOM's packages)"
	exp=$work/export-$n
	"$bin/synthosv" -n "$n" -seed "$seed" -hits "$hits" -sbom "$sbom" -out "$exp"
	zips=$(cat "$exp"/*/all.zip | wc -c)
	cp -a "$work/db-7k" "$work/db-$n"
	"$osvbench" measure -runs 1 -warmup 0 -tsv "$work/import-$n.tsv" -- \
		"import $n" "$sdlkit" advisories import "$exp"/*/all.zip --db "$work/db-$n"
	[ "$profile" = 1 ] && [ "$n" = "$profile_n" ] || rm -rf "$exp"
	store_row "7k + $n" "$work/db-$n" "$n" "$zips" "$work/import-$n.tsv"
	stores+=("7k + $n|$work/db-$n")
done

# scan_cmds: measure's command list, one scan per store.
scan_cmds=()
for s in "${stores[@]}"; do
	label=${s%%|*} dir=${s#*|}
	[ ${#scan_cmds[@]} -eq 0 ] || scan_cmds+=(::)
	scan_cmds+=("scan, store $label" "$sdlkit" scan "$sbom" --db "$dir" --format json -o "$dir.scan.json")
done

say ""
say "== scan of the SBOM, warm: $runs runs after a warm-up, the stores interleaved round by round; load $(cut -d' ' -f1-3 /proc/loadavg)"
"$osvbench" measure -runs "$runs" -warmup 1 -tsv "$work/warm.tsv" -- "${scan_cmds[@]}"

cold=0
if [ "$cold_runs" -gt 0 ] && (sync && echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
	cold=1
	say ""
	say "== scan of the SBOM, cold: $cold_runs runs, page cache dropped before each (sdlkit's binary and the store read from disk)"
	"$osvbench" measure -runs "$cold_runs" -warmup 0 -prep 'sync && echo 3 >/proc/sys/vm/drop_caches' \
		-tsv "$work/cold.tsv" -- "${scan_cmds[@]}"
elif [ "$cold_runs" -gt 0 ]; then
	say ""
	say "== scan, cold: not measured: /proc/sys/vm/drop_caches is not writable here"
fi

say ""
say "== summary"
column -t -s '|' "$work/growth.psv"
say ""
field() { awk -F'\t' -v l="$1" -v c="$2" '$1 == l { print $c }' "$3"; }
findings() { python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["findings"] or []))' "$1"; }
base=${stores[0]%%|*}
base_warm=$(field "scan, store $base" 3 "$work/warm.tsv")
base_cold=$([ "$cold" = 1 ] && field "scan, store $base" 3 "$work/cold.tsv" || true)
base_cpu=$(field "scan, store $base" 8 "$work/warm.tsv")
printf '%s\n' "store|findings|warm median ms (min-max)|x 7k|warm CPU ms|x 7k|cold median ms (min-max)|x 7k|scan peak RSS MiB" >"$work/scan.psv"
for s in "${stores[@]}"; do
	label=${s%%|*} dir=${s#*|} l="scan, store ${s%%|*}"
	w=$(field "$l" 3 "$work/warm.tsv")
	cpu=$(field "$l" 8 "$work/warm.tsv")
	c="-" cr="-"
	if [ "$cold" = 1 ]; then
		c="$(field "$l" 3 "$work/cold.tsv") ($(field "$l" 4 "$work/cold.tsv")-$(field "$l" 5 "$work/cold.tsv"))"
		cr=$(awk -v a="$(field "$l" 3 "$work/cold.tsv")" -v b="$base_cold" 'BEGIN { printf "%.2f", a / b }')
	fi
	printf '%s|%s|%s (%s-%s)|%s|%s|%s|%s|%s|%.0f\n' "$label" "$(findings "$dir.scan.json")" "$w" \
		"$(field "$l" 4 "$work/warm.tsv")" "$(field "$l" 5 "$work/warm.tsv")" \
		"$(awk -v a="$w" -v b="$base_warm" 'BEGIN { printf "%.2f", a / b }')" "$cpu" \
		"$(awk -v a="$cpu" -v b="$base_cpu" 'BEGIN { printf "%.2f", a / b }')" "$c" "$cr" \
		"$(awk -v k="$(field "$l" 10 "$work/warm.tsv")" 'BEGIN { print k / 1024 }')" >>"$work/scan.psv"
done
column -t -s '|' "$work/scan.psv"

say ""
say "== targets"
verdict() { if [ "$2" = 1 ]; then say "PASS    $1: $3"; else say "MISSED  $1: $3"; fi; }
largest=${stores[${#stores[@]} - 1]%%|*}
largest_n=${largest#7k + }
if [ "$largest_n" -ge 300000 ] 2>/dev/null; then
	imp=$(field "import $largest_n" 3 "$work/import-$largest_n.tsv")
	verdict "import of $largest_n synthetic advisories under 3 minutes" \
		"$(awk -v v="$imp" 'BEGIN { print (v < 180000) ? 1 : 0 }')" "$(awk -v v="$imp" 'BEGIN { printf "%.1f s (one run)", v / 1000 }')"
else
	say "not judged: import of 300,000 (the largest size here is $largest)"
fi
if [ "$largest_n" -ge 300000 ] 2>/dev/null; then
	say "        (import CPU time $(awk -v v="$(field "import $largest_n" 8 "$work/import-$largest_n.tsv")" 'BEGIN { printf "%.1f s", v / 1000 }'): the wall time above is longer when the machine is shared)"
fi
lw=$(field "scan, store $largest" 3 "$work/warm.tsv")
verdict "scan against store $largest within 2x of the ~7,000 store (warm)" \
	"$(awk -v a="$lw" -v b="$base_warm" 'BEGIN { print (a <= 2 * b) ? 1 : 0 }')" \
	"$(awk -v a="$lw" -v b="$base_warm" 'BEGIN { printf "%.2fx (%s / %s ms, medians)", a / b, a, b }')"
lcpu=$(field "scan, store $largest" 8 "$work/warm.tsv")
verdict "scan against store $largest within 2x of the ~7,000 store (CPU time)" \
	"$(awk -v a="$lcpu" -v b="$base_cpu" 'BEGIN { print (a <= 2 * b) ? 1 : 0 }')" \
	"$(awk -v a="$lcpu" -v b="$base_cpu" 'BEGIN { printf "%.2fx (%s / %s ms, medians)", a / b, a, b }')"
if [ "$cold" = 1 ]; then
	lc=$(field "scan, store $largest" 3 "$work/cold.tsv")
	verdict "scan against store $largest within 2x of the ~7,000 store (cold)" \
		"$(awk -v a="$lc" -v b="$base_cold" 'BEGIN { print (a <= 2 * b) ? 1 : 0 }')" \
		"$(awk -v a="$lc" -v b="$base_cold" 'BEGIN { printf "%.2fx (%s / %s ms, medians)", a / b, a, b }')"
fi

if [ "$profile" = 1 ]; then
	say ""
	say "== where the import of $profile_n synthetic advisories spends its time (.ci/importprof: the command's Import, in one process)"
	exp=$work/export-$profile_n
	[ -d "$exp" ] || "$bin/synthosv" -n "$profile_n" -seed "$seed" -hits "$hits" -sbom "$sbom" -out "$exp" >/dev/null
	(cd "$repo" && go build -o "$bin/importprof" ./.ci/importprof)
	cp -a "$work/db-7k" "$work/db-profile"
	"$bin/importprof" -db "$work/db-profile" -every "$((profile_n / 10))" -cpuprofile "$work/import.pprof" "$exp"/*/all.zip
	go tool pprof -top -cum -nodecount=300 "$bin/importprof" "$work/import.pprof" 2>/dev/null >"$work/import-pprof.txt" || true
	awk '/Total samples/ { print } /flat%/ { print; p = 1; next }
		p && /sdlkit\/sdlkit|bbolt|runtime\.memmove$|protojson\.UnmarshalOptions\.Unmarshal$|flate\.\(\*Writer\)\.Close|archive\/zip|gcBgMarkWorker$/ &&
		!/func[0-9]+$/ && n++ < 25' "$work/import-pprof.txt"
fi
