#!/usr/bin/env bash
# bench-scan.sh: sdlkit's offline vulnerability scan against osv-scanner v2's
# offline scan, on the same advisories and the same inputs, in one run:
#  - findings: every advisory of ../shared/fixtures/osv (about 7,000, JSON
#    and YAML) is imported into an sdlkit store and packed as osv-scanner's
#    local database (the same records: the script checks the digests); the
#    SBOM of each project under ../shared/fixtures/lockfiles and of the
#    whole directory (sbom generate --include-dev, named *.cdx.json) and the
#    directory itself are scanned by both; the findings are compared by
#    (ecosystem, name, version, alias group) and every difference is
#    printed with what decides it (the component's scope, the records'
#    affected entries);
#  - time and memory: both scanners on the lockfiles directory and on its
#    SBOM, interleaved round by round, median and spread of RUNS runs, CPU
#    time and peak RSS (rusage); the import of the advisories;
#  - the targets: scan of the directory under 300 ms, at least 5x faster
#    than osv-scanner, peak RSS under 300 MiB; import under 10 s; equal
#    findings. Where sdlkit's directory scan spends its time when it misses
#    300 ms (PROFILE=1: always): its steps and a CPU profile.
# As a cross-check beyond the fixtures, both also scan the lockfiles SBOM
# against SYNTH (30000; 0: skip) synthetic advisories from .ci/synthosv,
# some of them on the SBOM's packages.
#
# Like with like: 'sdlkit scan DIR' leaves development dependencies out by
# default, osv-scanner's 'scan source -r DIR' keeps them (it has no switch
# to leave them out). The findings are therefore compared twice: the
# directory with dev dependencies on both sides (osv-scanner -r DIR against
# sdlkit on the --include-dev SBOM) and without (sdlkit scan DIR against
# osv-scanner on the SBOM made without --include-dev); the raw pair, DIR
# against DIR, is shown too, its differences marked as dev dependencies.
# The timings show 'sdlkit scan DIR' as shipped and, for the same
# components as osv-scanner, sbom generate --include-dev followed by scan.
#
# Reads ../shared/fixtures (beside the checkout; FIXTURES=DIR overrides).
# Runs offline except for the Go module proxy, through which osv-scanner
# (newest v2, or OSV_SCANNER_VERSION) is installed once into
# ${XDG_CACHE_HOME:-~/.cache}/sdlkit-bench; the comparison scans run in a
# network namespace of their own when 'unshare -n' is allowed. A benchmark,
# not a test: it exits 0 whatever the figures (a missed target prints
# MISSED) and non-zero only when something cannot be built or run. Not
# part of .ci/run.
#
#   bash .ci/bench-scan.sh
#   RUNS=5 HYPERFINE=0 bash .ci/bench-scan.sh
#   KEEP=1 PROFILE=1 bash .ci/bench-scan.sh     # keep the work directory, always profile
set -euo pipefail
export GOTOOLCHAIN=auto

repo=$(cd "$(dirname "$0")/.." && pwd)
fixtures=${FIXTURES:-$(cd "$repo/.." && pwd)/shared/fixtures}
runs=${RUNS:-10}
synth=${SYNTH:-30000}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/sdlkit-bench
work=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then
	trap 'echo "work directory kept: $work" >&2' EXIT
else
	trap 'rm -rf "$work"' EXIT
fi
bin=$work/bin
mkdir -p "$bin" "$work/sbom" "$work/out" "$work/imp"
lockfiles=$fixtures/lockfiles
osvdir=$fixtures/osv
for d in "$lockfiles" "$osvdir"; do
	[ -d "$d" ] || { echo "bench-scan.sh: no fixtures at $d (set FIXTURES)" >&2; exit 2; }
done

say() { printf '%s\n' "$*"; }

say "== build"
(cd "$repo" && go build -o "$bin/sdlkit" ./cmd/sdlkit && go build -o "$bin/osvbench" ./.ci/osvbench)
sdlkit=$bin/sdlkit
osvbench=$bin/osvbench
say "$("$sdlkit" --version | sed -n 1p), $(go env GOVERSION), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

say ""
say "== osv-scanner (Go module proxy, cached in $cache)"
version=${OSV_SCANNER_VERSION:-}
if [ -z "$version" ]; then
	version=$(cd "$work" && go list -m -f '{{.Version}}' github.com/google/osv-scanner/v2@latest 2>"$work/golist.log") ||
		version=$(ls -d "$cache"/osv-scanner-v* 2>/dev/null | sed 's/.*osv-scanner-//' | sort -V | tail -1)
	[ -n "$version" ] || { echo "bench-scan.sh: cannot ask the module proxy for osv-scanner: $(tail -1 "$work/golist.log")" >&2; exit 1; }
fi
osv=$cache/osv-scanner-$version/osv-scanner
if [ ! -x "$osv" ]; then
	(cd "$work" && GOBIN=$(dirname "$osv") go install "github.com/google/osv-scanner/v2/cmd/osv-scanner@$version") >"$work/install.log" 2>&1 ||
		{ echo "bench-scan.sh: cannot install osv-scanner $version: $(tail -3 "$work/install.log")" >&2; exit 1; }
fi
say "$("$osv" --version 2>/dev/null | sed -n 1p) ($osv)"

# The comparison scans run without network when the kernel lets us make a
# network namespace; the timed runs do not (unshare would be timed too),
# and osv-scanner's --offline makes no network calls either way.
offline=()
if unshare -n true 2>/dev/null; then
	offline=(unshare -n)
	say "comparison scans: in an empty network namespace (unshare -n)"
else
	say "comparison scans: network not isolated (unshare -n not allowed); osv-scanner runs --offline"
fi
# use_osvdb DIR: osv-scanner's command line, reading the database DIR.
use_osvdb() { osvscan=("$osv" scan source --offline --local-db-path "$1" --no-call-analysis=all --format json); }
use_osvdb "$work/osvdb"

say ""
say "== advisories: $osvdir"
"$osvbench" pack -fixtures "$osvdir" -out "$work/osvdb" | tee "$work/pack.txt"
"$sdlkit" advisories import "$osvdir" --db "$work/db" 2>&1 | tail -1
pack_digest=$(awk '/^digest/ { print $2 }' "$work/pack.txt")
store_digest=$("$sdlkit" advisories status --db "$work/db" --format json |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["digest"])')
if [ "$pack_digest" = "$store_digest" ]; then
	say "same advisories on both sides: osv-scanner's database and sdlkit's store have digest $store_digest"
else
	say "DIFFERENT advisories: packed $pack_digest, store $store_digest (the comparison below is not like with like)"
fi

say ""
say "== SBOMs (sdlkit sbom generate)"
for p in "$lockfiles"/*/; do
	p=$(basename "$p")
	"$sdlkit" sbom generate "$lockfiles/$p" --include-dev -o "$work/sbom/$p.cdx.json"
done
all=$work/sbom/all-lockfiles.cdx.json
"$sdlkit" sbom generate "$lockfiles" --include-dev -o "$all"
"$sdlkit" sbom generate "$lockfiles" -o "$work/sbom/all-lockfiles-nodev.cdx.json"
components() { python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1])).get("components") or []))' "$1"; }
for f in "$work"/sbom/*.cdx.json; do
	printf '  %-38s %5s components\n' "$(basename "$f")" "$(components "$f")"
done

say ""
say "== findings: osv-scanner and sdlkit, by (ecosystem, name, version, alias group)"
# scan_osv NAME ARGS...: osv-scanner's findings and package count.
scan_osv() {
	local name=$1 rc=0
	shift
	${offline[@]+"${offline[@]}"} "${osvscan[@]}" --output-file "$work/out/osv-$name.json" "$@" 2>"$work/out/osv-$name.log" || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "osv-scanner failed on $name (exit $rc): $(tail -3 "$work/out/osv-$name.log")" >&2
		exit 1
	fi
	"$osvbench" findings -from osv-scanner "$work/out/osv-$name.json" >"$work/out/osv-$name.txt"
}
scan_sdlkit() { # NAME TARGET
	${offline[@]+"${offline[@]}"} "$sdlkit" scan "$2" --db "$work/db" --format json -o "$work/out/sdlkit-$1.json" 2>"$work/out/sdlkit-$1.log"
	"$osvbench" findings -from sdlkit "$work/out/sdlkit-$1.json" >"$work/out/sdlkit-$1.txt"
}
osv_packages() { grep -o 'found [0-9]* packages' "$work/out/osv-$1.log" | awk '{ n += $2 } END { print n + 0 }'; }
sdlkit_components() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["target"]["components"])' "$work/out/sdlkit-$1.json"; }
# compare ID TITLE OSV-RUN SDLKIT-RUN: prints the differences; counts them
# for the verdict unless ID is raw (the informational DIR/DIR pair).
differences=0
compared=0
printf '%s\n' "pair|osv-scanner packages|sdlkit components|both|only osv-scanner|only sdlkit" >"$work/findings.psv"
compare() {
	local id=$1 title=$2 o=$3 s=$4 both onlyo onlys
	"$osvbench" compare -a osv-scanner -b sdlkit -list-both=false -sbom "$work/sbom/all-lockfiles.cdx.json" \
		-db "$work/osvdb" "$work/out/osv-$o.txt" "$work/out/sdlkit-$s.txt" >"$work/out/compare-$id.txt"
	read -r both onlyo onlys < <(awk '/^## both/ { b = $3 } /^## only osv-scanner/ { o = $4 } /^## only sdlkit/ { s = $4 } END { print b, o, s }' "$work/out/compare-$id.txt")
	say "-- $title: both $both, only osv-scanner $onlyo, only sdlkit $onlys"
	if [ "$onlyo" != 0 ] || [ "$onlys" != 0 ]; then
		grep -v '^## both\|^# summary' "$work/out/compare-$id.txt" | sed 's/^/   /'
	fi
	printf '%s|%s|%s|%s|%s|%s\n' "$id" "$(osv_packages "$o")" "$(sdlkit_components "$s")" "$both" "$onlyo" "$onlys" >>"$work/findings.psv"
	if [ "$id" != raw ]; then
		compared=$((compared + 1))
		differences=$((differences + onlyo + onlys))
	fi
}
for f in "$work"/sbom/*.cdx.json; do
	n=$(basename "$f" .cdx.json)
	scan_osv "$n" -L "$f"
	scan_sdlkit "$n" "$f"
	compare "sbom:$n" "SBOM $n.cdx.json" "$n" "$n"
done
scan_osv dir -r "$lockfiles"
scan_sdlkit dir "$lockfiles"
compare dir+dev "DIR with dev: osv-scanner -r DIR, sdlkit on the --include-dev SBOM" dir all-lockfiles
compare dir-dev "DIR without dev: osv-scanner on the SBOM without dev, sdlkit scan DIR" all-lockfiles-nodev dir
compare raw "raw, informational: osv-scanner -r DIR, sdlkit scan DIR (dev dependencies differ)" dir dir

# A cross-check beyond the fixtures: synthetic records (.ci/synthosv) on the
# SBOM's own packages exercise what the fixtures hit little: version lists,
# ranges fixed in the very version present or starting above it, and flaws
# reported by two records that share an alias.
synth_differences=""
if [ "$synth" -gt 0 ]; then
	(cd "$repo" && go build -o "$bin/synthosv" ./.ci/synthosv)
	mkdir -p "$work/empty"
	"$osvbench" pack -fixtures "$work/empty" -ecosystems "$osvdir/osv-schema/ecosystems.json" -out "$work/synthdb" >/dev/null
	"$bin/synthosv" -n "$synth" -sbom "$all" -out "$work/synthdb/osv-scalibr" >"$work/synthosv.txt"
	sed -n 1p "$work/synthosv.txt"
	"$sdlkit" advisories import "$work"/synthdb/osv-scalibr/*/all.zip --db "$work/db-synth" 2>&1 | tail -1
	use_osvdb "$work/synthdb"
	scan_osv synth -L "$all"
	use_osvdb "$work/osvdb"
	"$sdlkit" scan "$all" --db "$work/db-synth" --format json -o "$work/out/sdlkit-synth.json"
	"$osvbench" findings -from sdlkit "$work/out/sdlkit-synth.json" >"$work/out/sdlkit-synth.txt"
	before=$differences
	compare synth "SBOM all-lockfiles.cdx.json against $synth synthetic advisories" synth synth
	synth_differences=$((differences - before))
	differences=$before
	compared=$((compared - 1))
fi

say ""
say "findings of the lockfiles (both scanners):"
"$osvbench" compare "$work/out/osv-dir.txt" "$work/out/sdlkit-all-lockfiles.txt" | awk '/^## both/ { p = 1; next } /^##/ { p = 0 } p' | sed 's/^/  /'

say ""
say "== time and memory: $runs runs after a warm-up, interleaved round by round; load $(cut -d' ' -f1-3 /proc/loadavg)"
"$osvbench" measure -runs "$runs" -warmup 1 -tsv "$work/scan.tsv" -- \
	"sdlkit --version" "$sdlkit" --version :: \
	"sdlkit scan DIR" "$sdlkit" scan "$lockfiles" --db "$work/db" --format json -o "$work/t-sdlkit.json" :: \
	"osv-scanner -r DIR" "${osvscan[@]}" --output-file "$work/t-osv.json" -r "$lockfiles" :: \
	"sdlkit DIR with dev" sh -c '"$1" sbom generate "$2" --include-dev -o "$3/t.cdx.json" && "$1" scan "$3/t.cdx.json" --db "$3/db" --format json -o "$3/t-sdlkit.json"' \
	sh "$sdlkit" "$lockfiles" "$work" :: \
	"sdlkit scan SBOM" "$sdlkit" scan "$all" --db "$work/db" --format json -o "$work/t-sdlkit.json" :: \
	"osv-scanner -L SBOM" "${osvscan[@]}" --output-file "$work/t-osv.json" -L "$all"
say "(sdlkit DIR with dev = sbom generate --include-dev, then scan: the components osv-scanner -r DIR sees; SBOM = all-lockfiles.cdx.json, with dev)"

say ""
say "== import of $osvdir into an empty store: $runs runs"
"$osvbench" measure -runs "$((runs < 5 ? runs : 5))" -warmup 1 -tsv "$work/import.tsv" -- \
	"sdlkit advisories import" "$sdlkit" advisories import "$osvdir" --db "$work/imp/{run}"
rm -rf "$work/imp"
du -sh "$work/db" | awk '{ print "store on disk: " $1 }'

hyperfine_dir=""
if [ "${HYPERFINE:-1}" = 1 ] && command -v hyperfine >/dev/null; then
	say ""
	say "== cross-check with hyperfine $(hyperfine --version | awk '{ print $2 }') (one command's runs, then the other's)"
	hyperfine -N --warmup 1 --runs "$runs" -i --export-json "$work/hyperfine.json" \
		-n "sdlkit scan DIR" "$(printf '%q ' "$sdlkit" scan "$lockfiles" --db "$work/db" --format json -o "$work/t-sdlkit.json")" \
		-n "osv-scanner -r DIR" "$(printf '%q ' "${osvscan[@]}" --output-file "$work/t-osv.json" -r "$lockfiles")" 2>&1 |
		grep -v '^ *$' || true
	hyperfine_dir=$(python3 -c '
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
s, o = r["sdlkit scan DIR"], r["osv-scanner -r DIR"]
print(f"{s[\"median\"]*1000:.0f} {o[\"median\"]*1000:.0f}")' "$work/hyperfine.json" 2>/dev/null || true)
fi

# field LABEL COLUMN [FILE]: a column of measure's TSV (3 median, 4 min,
# 5 max, 8 CPU, 10 peak RSS KiB).
field() { awk -F'\t' -v l="$1" -v c="$2" '$1 == l { print $c }' "${3:-$work/scan.tsv}"; }
sdl_ms=$(field "sdlkit scan DIR" 3)
osv_ms=$(field "osv-scanner -r DIR" 3)
rss_mib=$(awk -v k="$(field "sdlkit scan DIR" 10)" 'BEGIN { printf "%.0f", k / 1024 }')
import_ms=$(field "sdlkit advisories import" 3 "$work/import.tsv")

if [ "${PROFILE:-0}" = 1 ] || awk -v v="$sdl_ms" 'BEGIN { exit !(v >= 300) }'; then
	say ""
	say "== where 'sdlkit scan DIR' spends its time (.ci/scanprof: the scan command's steps in one process)"
	(cd "$repo" && go build -o "$bin/scanprof" ./.ci/scanprof)
	"$bin/scanprof" -db "$work/db" -n 10 -cpuprofile "$work/cpu.pprof" "$lockfiles"
	say "CPU profile, cumulative, the scan's own frames and the parsers it calls (go tool pprof -top -cum):"
	go tool pprof -top -cum -nodecount=300 "$bin/scanprof" "$work/cpu.pprof" 2>/dev/null >"$work/pprof.txt" || true
	awk '/Total samples/ { print } /flat%/ { print; p = 1; next }
		p && /sdlkit\/sdlkit|osv-scalibr|yaml%2ev3\.Unmarshal|yaml%2ev3\.\(\*Decoder\)\.Decode$|toml\.\(\*Decoder\)\.Decode$|protojson\.UnmarshalOptions\.Unmarshal$|compress\/flate|gcBgMarkWorker$|runtime\.mallocgc$/ &&
		!/func[0-9]+$/ && n++ < 30' "$work/pprof.txt"
fi

say ""
say "== summary"
row() { # label sdlkit-label osv-label
	local s o
	s=$(field "$2" 3)
	o=${3:+$(field "$3" 3)}
	printf '%-34s %8s ms (%s-%s) %8s MiB' "$1" "$s" "$(field "$2" 4)" "$(field "$2" 5)" \
		"$(awk -v k="$(field "$2" 10)" 'BEGIN { printf "%.0f", k / 1024 }')"
	if [ -n "$o" ]; then
		printf '  %8s ms (%s-%s) %5s MiB  %5sx' "$o" "$(field "$3" 4)" "$(field "$3" 5)" \
			"$(awk -v k="$(field "$3" 10)" 'BEGIN { printf "%.0f", k / 1024 }')" \
			"$(awk -v a="$o" -v b="$s" 'BEGIN { printf "%.1f", a / b }')"
	fi
	printf '\n'
}
printf '%-34s %28s %8s  %28s %5s  %6s\n' "" "sdlkit median (min-max)" "peak RSS" "osv-scanner median (min-max)" "RSS" "ratio"
row "scan DIR (sdlkit: no dev)" "sdlkit scan DIR" "osv-scanner -r DIR"
row "DIR with dev (generate + scan)" "sdlkit DIR with dev" "osv-scanner -r DIR"
row "scan SBOM (3,180 comps, with dev)" "sdlkit scan SBOM" "osv-scanner -L SBOM"
row "start-up (sdlkit --version)" "sdlkit --version" ""
printf '%-34s %8s ms (%s-%s) %8s MiB\n' "import ~7,000 advisories" "$import_ms" \
	"$(field "sdlkit advisories import" 4 "$work/import.tsv")" "$(field "sdlkit advisories import" 5 "$work/import.tsv")" \
	"$(awk -v k="$(field "sdlkit advisories import" 10 "$work/import.tsv")" 'BEGIN { printf "%.0f", k / 1024 }')"
if [ -n "$hyperfine_dir" ]; then
	read -r hs ho <<<"$hyperfine_dir"
	printf '%-34s %8s ms %31s %8s ms %22sx\n' "hyperfine: scan DIR / -r DIR" "$hs" "" "$ho" \
		"$(awk -v a="$ho" -v b="$hs" 'BEGIN { printf "%.1f", a / b }')"
fi
say ""
column -t -s '|' "$work/findings.psv"

say ""
say "== targets"
verdict() { # name ok(0/1) detail
	if [ "$2" = 1 ]; then say "PASS    $1: $3"; else say "MISSED  $1: $3"; fi
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }' && echo 1 || echo 0; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }' && echo 1 || echo 0; }
verdict "findings equal to osv-scanner's (by alias group)" "$([ "$differences" = 0 ] && echo 1 || echo 0)" \
	"$differences differences over $compared like-with-like comparisons (the raw DIR/DIR pair aside)${synth_differences:+; $synth_differences on $synth synthetic advisories}"
verdict "scan DIR under 300 ms wall" "$(lt "$sdl_ms" 300)" "median $sdl_ms ms"
ratio=$(awk -v a="$osv_ms" -v b="$sdl_ms" 'BEGIN { printf "%.1f", a / b }')
verdict "scan DIR at least 5x faster than osv-scanner -r DIR" "$(ge "$ratio" 5)" \
	"${ratio}x ($osv_ms / $sdl_ms ms, medians of the same rounds)"
verdict "scan DIR peak RSS under 300 MiB" "$(lt "$rss_mib" 300)" "$rss_mib MiB (the largest of $runs runs)"
verdict "import of ~7,000 advisories under 10 s" "$(lt "$import_ms" 10000)" "median $import_ms ms"
