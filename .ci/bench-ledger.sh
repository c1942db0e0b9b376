#!/usr/bin/env bash
# bench-ledger.sh: how the evidence ledger (practices/ledger, 'sdlkit ledger')
# copes with many records and much evidence, against git doing the same. On
# a ledger of N (10,000) synthetic records (.ci/ledgerbench: one product,
# 50 releases, a 1 KiB evidence file each, requirements and kinds cycling
# through the catalog), it measures each step's wall time, CPU time and
# peak RSS:
#  - appends: N records appended in one process, one Append call (one
#    commit) per record, as a pipeline step records but without the process
#    start-up; then the git command line making the same commits (the same
#    files, messages, authors and times: ledgerbench checks that git reaches
#    the same head) in one run (GIT_N less than N: the first GIT_N, beside
#    sdlkit's time for the same ones). GIT_MODES picks how:
#    plumbing (update-index --add, write-tree, commit-tree, update-ref: the
#    steps Append takes, four processes a record) and/or porcelain (add +
#    commit in a checkout of the branch, what a script would run; each
#    commit refreshes the index against every file of the checkout, so it
#    slows as the ledger grows). Either way git reads and rewrites an index
#    of every file on each commit, so its commits cost more as the ledger
#    grows. gc.auto=0 on the git side: both leave every object loose;
#  - one record per process: CLI_RUNS (200) runs of 'sdlkit ledger record'
#    on the ledger, ms per record as a pipeline step sees it;
#  - status over the N records, in process (ledgerbench) and as the command
#    ('sdlkit ledger status'): cold (no index cache: every record read from
#    the tree), warm (cache at the head), incremental (one record added
#    before each run: the cache one commit behind);
#  - verify over the N records, in process: full (no verification cache:
#    every commit, every evidence blob hashed; after an untimed run, so
#    the objects are in the page cache as for the peers, which get a
#    warm-up run too) on all cores and on one
#    (GOMAXPROCS=1; not at 150,000), and incremental (one record added before each run: the
#    cache one commit behind, as 'sdlkit ledger verify' after a pipeline
#    step); then full over the same with GB (1) GiB of evidence added (100
#    files of ~10 MiB, text that compresses about 2x), on all cores and on
#    one, against sha256sum of the same files and 'git fsck' of the
#    repository (which inflates and SHA-1-hashes every object), with the
#    ratios of their throughputs; then the same on a clone of the ledger
#    (git clone --mirror --no-local: one pack as git sends it, zlib at
#    git's level and deltas, as an assessor or another pipeline has it);
#  - with SCALE=1, 150,000 records (100 products x 50 releases x 30
#    records, appended in one process, 30 records per Append call, one
#    commit each): status (cold, warm, incremental) and verify (full,
#    incremental) again, and how they grew from N (SCALE_PRODUCTS,
#    SCALE_RELEASES, SCALE_PER change the shape).
# The targets: N appends under 60 s; status under 1 s cold, warm and
# incremental (the command, medians); verify bound by hashing (on the added
# GiB at least half sha256sum's throughput, in CPU time, which a shared
# machine disturbs less than the wall time); at 150,000, status warm and
# incremental still under 1 s. Where a target is missed (PROFILE=1:
# always) a CPU profile of the in-process step shows where the time goes;
# verify's is always shown.
#
# Everything runs under a temporary directory (TMPDIR; about 3 GB, 10 GB
# more with SCALE=1), removed at the end. Appends write a loose object per
# tree, blob and commit, so they are bound by how fast the file system
# creates files: the run starts by measuring that (ledgerbench fsprobe),
# and on a disk shared with other work it varies from run to run; TMPDIR
# on a tmpfs takes the disk out. The default run takes about 10 minutes on
# 2 cores at load 1 to 2, 6 of them on the git side; GIT_N=3000 saves 5 of
# those (git's commits cost more as the ledger grows, so a ratio over the
# first 3,000 flatters git). Offline.
# A benchmark, not a test: it exits 0 whatever the figures (a missed
# target prints MISSED) and non-zero only when something cannot be built
# or run. Not part of .ci/run.
#
#   bash .ci/bench-ledger.sh
#   GIT_N=3000 GIT_MODES="plumbing porcelain" CLI_RUNS=50 bash .ci/bench-ledger.sh
#   SCALE=1 bash .ci/bench-ledger.sh            # also 150,000 records (about 25 minutes more)
#   N=2000 GB=0.1 KEEP=1 PROFILE=1 bash .ci/bench-ledger.sh
set -euo pipefail
export GOTOOLCHAIN=auto

repo=$(cd "$(dirname "$0")/.." && pwd)
n=${N:-10000}
git_modes=${GIT_MODES:-plumbing}
git_n=${GIT_N:-$n}
cli_runs=${CLI_RUNS:-200}
status_runs=${STATUS_RUNS:-5}
gb=${GB:-1}
big_files=${BIG_FILES:-100}
scale=${SCALE:-0}
# The SCALE=1 ledger: products x releases x records per release.
scale_dims=(${SCALE_PRODUCTS:-100} ${SCALE_RELEASES:-50} ${SCALE_PER:-30})
big_n=$((scale_dims[0] * scale_dims[1] * scale_dims[2]))
profile=${PROFILE:-0}
work=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then
	trap 'echo "work directory kept: $work" >&2' EXIT
else
	trap 'rm -rf "$work"' EXIT
fi
bin=$work/bin
tsv=$work/results.tsv
mkdir -p "$bin" "$work/prof"
: >"$tsv"

say() { printf '%s\n' "$*"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

say "== build"
(cd "$repo" && go build -o "$bin/sdlkit" ./cmd/sdlkit && go build -o "$bin/ledgerbench" ./.ci/ledgerbench &&
	go build -o "$bin/osvbench" ./.ci/osvbench)
sdlkit=$bin/sdlkit
lb=$bin/ledgerbench
osvbench=$bin/osvbench
say "$("$sdlkit" --version | sed -n 1p), $(go env GOVERSION), $(git --version), $(nproc) cores, load $(load)"
say "file system of $work: $("$lb" fsprobe -dir "$work" | sed -n 1p | sed 's/^ *//'), load $(load)"
export SDLKIT_ACTOR="CI <ci@example.com>" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

# prof NAME: the -cpuprofile flag for an in-process step.
prof() { printf '%s\n' -cpuprofile "$work/prof/$1.pprof"; }
# top NAME FRAMES: the frames of a CPU profile that say where time goes.
top() {
	say "-- where '$1' spends its time (go tool pprof -top -cum, selected frames; load $(load))"
	go tool pprof -top -cum -nodecount=400 "$lb" "$work/prof/$1.pprof" 2>/dev/null >"$work/prof/$1.txt" || true
	awk -v re="$2" '/Total samples/ { print } /flat%/ { print; p = 1; next } p && $0 ~ re && !/func[0-9]+$/ && n++ < 36' "$work/prof/$1.txt"
}
ledger_frames='practices/ledger\.|SetEncodedObject$|getFromUnpacked$|objfile\.\(\*Writer\)\.Close$|GetTree$|Tree\)\.Decode$|sha256\.\(\*Digest\)\.Write$|sha1cd\.\(\*digest\)\.Write$|sha1\.\(\*digest\)\.Write$|flate\.\(\*decompressor\)\.Read$|syscall\.(openat|fstatat|Renameat|read)$|os\.CreateTemp$|runtime\.gcBgMarkWorker$|AssessAll$'

l10k=$work/ledger-$n.git
say ""
say "== $n appends in one process (one Append call and commit per record, 1 KiB evidence each); load $(load)"
mark=()
[ "$git_n" -ge "$n" ] || mark=(-mark "$git_n")
"$lb" append -repo "$l10k" -n "$n" ${mark[@]+"${mark[@]}"} -tsv "$tsv" $(prof append)
say "load $(load)"

for mode in $git_modes; do
	say ""
	say "== the git CLI making the same $git_n commits, $mode; load $(load)"
	"$lb" gitcli -from "$l10k" -repo "$work/git-$mode" -n "$git_n" -mode "$mode" -tsv "$tsv"
	say "load $(load)"
	rm -rf "$work/git-$mode"
done

# status_cli LABEL LEDGER PREP WARMUP: the status command, STATUS_RUNS runs.
status_cli() {
	"$osvbench" measure -runs "$status_runs" -warmup "$4" ${3:+-prep "$3"} -tsv "$work/cli-$1.tsv" -- \
		"$1" "$sdlkit" ledger status --ledger "$2" --format json
	awk -F'\t' -v OFS='\t' '{ print $1, $3, $8, $10, $2, 0 }' "$work/cli-$1.tsv" >>"$tsv"
}
# one_more LEDGER: a shell command recording one more record (a prep step).
one_more() {
	printf '%s' "date +%s%N >'$work/one-more.txt' && '$sdlkit' ledger record --ledger '$1' --requirement SVV-1 --kind test-report --version 9.9.9 '$work/one-more.txt' >/dev/null"
}
# status_all SUFFIX LEDGER COLD-RUNS [PRODUCT]: status cold, warm and
# incremental, in process and as the command.
status_all() {
	local s=$1 l=$2 mode runs
	say ""
	say "== status over ${s} records, in process (ledgerbench: median of $status_runs runs, cold $3); load $(load)"
	for mode in cold warm incremental; do
		runs=$status_runs
		[ "$mode" != cold ] || runs=$3
		"$lb" status -repo "$l" -mode "$mode" -runs "$runs" ${4:+-product "$4"} -label "status $mode $s" -tsv "$tsv" \
			$(prof "status-$mode-$s")
	done
	say ""
	say "== status over ${s} records, the command ('sdlkit ledger status': $status_runs runs each, cold $3); load $(load)"
	status_runs=$3 status_cli "sdlkit status cold $s" "$l" "rm -f '$l'/sdlkit/index-*" 0
	status_cli "sdlkit status warm $s" "$l" "" 1
	status_cli "sdlkit status incremental $s" "$l" "$(one_more "$l")" 0
}
status_all "$n" "$l10k" "$status_runs"

# verify_all SUFFIX LEDGER [ONE-CORE]: verify full on all cores (and, with
# ONE-CORE, on one), then incremental.
verify_all() {
	say ""
	say "== verify over $1 records, full, $(nproc) cores${3:+ then 1 (GOMAXPROCS=1)}; load $(load)"
	"$lb" verify -repo "$2" -warm -label "verify $1" -tsv "$tsv" $(prof "verify-$1")
	[ -z "${3:-}" ] || GOMAXPROCS=1 "$lb" verify -repo "$2" -label "verify $1, 1 core" -tsv "$tsv"
	say ""
	say "== verify over $1 records, incremental (one record added before each of $status_runs runs); load $(load)"
	"$lb" verify -repo "$2" -mode incremental -runs "$status_runs" -label "verify incremental $1" -tsv "$tsv" \
		$(prof "verify-incremental-$1")
}
verify_all "$n" "$l10k" one-core

say ""
say "== $gb GiB of evidence added: $big_files records of one file each; load $(load)"
"$lb" big -repo "$l10k" -gb "$gb" -files "$big_files" -keep "$work/big" -tsv "$tsv"

say ""
say "== verify over $n records and $gb GiB, against sha256sum of the same files and git fsck; load $(load)"
"$lb" verify -repo "$l10k" -warm -label "verify $n + $gb GiB" -tsv "$tsv" $(prof verify-big)
GOMAXPROCS=1 "$lb" verify -repo "$l10k" -label "verify $n + $gb GiB, 1 core" -tsv "$tsv"
"$osvbench" measure -runs 3 -warmup 1 -tsv "$work/hash.tsv" -- "sha256sum" sha256sum "$work"/big/*
"$osvbench" measure -runs 1 -warmup 0 -tsv "$work/fsck.tsv" -- "git fsck" git -C "$l10k" fsck --no-progress --no-dangling
cat "$work/hash.tsv" "$work/fsck.tsv" | awk -F'\t' -v OFS='\t' '{ print $1, $3, $8, $10, $2, 0 }' >>"$tsv"
big_bytes=$(du -cb "$work"/big/* | tail -1 | cut -f1)
rm -rf "$work/big"
top verify-big "$ledger_frames"

# The ledger as an assessor or a second pipeline has it: fetched, so in a
# pack git made (zlib at git's level, deltas), not loose objects of stored
# blocks. git clone --no-local makes and sends the pack as a remote would.
say ""
say "== the same ledger cloned (git clone --mirror --no-local: one pack, as fetched); load $(load)"
"$osvbench" measure -runs 1 -warmup 0 -tsv "$work/clone.tsv" -- "git clone" \
	git clone --quiet --mirror --no-local "$l10k" "$work/clone.git"
say "on disk: the ledger's objects $(du -sh "$l10k/objects" | cut -f1) (evidence loose, stored blocks), the clone's $(du -sh "$work/clone.git/objects" | cut -f1) (packed)"
"$lb" verify -repo "$work/clone.git" -warm -label "verify packed $n + $gb GiB" -tsv "$tsv" $(prof verify-packed)
"$osvbench" measure -runs 1 -warmup 0 -tsv "$work/fsck-packed.tsv" -- "git fsck packed" \
	git -C "$work/clone.git" fsck --no-progress --no-dangling
cat "$work/clone.tsv" "$work/fsck-packed.tsv" | awk -F'\t' -v OFS='\t' '{ print $1, $3, $8, $10, $2, 0 }' >>"$tsv"
rm -rf "$work/clone.git"
top verify-packed "$ledger_frames"

say ""
say "== one record per process: $cli_runs runs of 'sdlkit ledger record' on the ledger of $n records; load $(load)"
mkdir -p "$work/ev"
for i in $(seq 1 "$cli_runs"); do printf '{"step":%d,"result":"pass"}\n' "$i" >"$work/ev/$i.json"; done
"$osvbench" measure -runs "$cli_runs" -warmup 0 -tsv "$work/cli-record.tsv" -- \
	"sdlkit ledger record" "$sdlkit" ledger record --ledger "$l10k" --requirement SVV-1 --kind test-report \
	--version 2.0.0 --summary "pipeline step {run}" "$work/ev/{run}.json"
awk -F'\t' -v OFS='\t' '{ print $1, $3, $8, $10, $2, 0 }' "$work/cli-record.tsv" >>"$tsv"
say "load $(load)"

if [ "$scale" = 1 ]; then
	lbig=$work/ledger-$big_n.git
	say ""
	say "== $big_n records: ${scale_dims[0]} products x ${scale_dims[1]} releases x ${scale_dims[2]} records," \
		"${scale_dims[2]} per Append call (one commit each); load $(load)"
	"$lb" append -repo "$lbig" -n "$big_n" -products "${scale_dims[0]}" -releases "${scale_dims[1]}" -batch "${scale_dims[2]}" \
		-every "$((big_n / 10))" -label "append $big_n" -tsv "$tsv"
	say "on disk: $(du -sh "$lbig" | cut -f1), $(find "$lbig/objects" -type f | wc -l) files; load $(load)"
	status_all "$big_n" "$lbig" 1 product-000
	verify_all "$big_n" "$lbig"
	top "verify-$big_n" "$ledger_frames"
fi

# field LABEL COLUMN: a column of the results (2 wall ms, 3 CPU ms, 4 peak
# RSS KiB, 5 count, 6 bytes).
field() { awk -F'\t' -v l="$1" -v c="$2" '$1 == l { v = $c } END { print v }' "$tsv"; }
secs() { awk -v v="$1" 'BEGIN { printf "%.1f s", v / 1000 }'; }

say ""
say "== summary (load now $(load); the load at each step is printed above it)"
printf '%s\n' "step|count|wall|CPU|peak RSS MiB|per record / throughput" >"$work/summary.psv"
row() { # LABEL NOTE
	[ -n "$(field "$1" 2)" ] || return 0
	printf '%s|%s|%s ms|%s ms|%.0f|%s\n' "$1" "$(field "$1" 5)" "$(field "$1" 2)" "$(field "$1" 3)" \
		"$(awk -v k="$(field "$1" 4)" 'BEGIN { print k / 1024 }')" "$2" >>"$work/summary.psv"
}
per() { awk -v w="$(field "$1" 2)" -v n="$2" 'BEGIN { printf "%.2f ms/record", w / n }'; }
mbs() { awk -v w="$(field "$1" 2)" -v b="$2" 'BEGIN { printf "%.0f MB/s", b / 1e6 / (w / 1000) }'; }
# the appends git's are compared with: all N, or the first GIT_N.
ref="append $n"
[ "$git_n" -ge "$n" ] || ref="append $n first $git_n"
ratio() { awk -v a="$(field "$ref" "$2")" -v b="$(field "git $1 $git_n" "$2")" 'BEGIN { printf "%.2f", a / b }'; }
row "append $n" "$(per "append $n" "$n")"
[ "$ref" = "append $n" ] || row "$ref" "$(per "$ref" "$git_n")"
for mode in $git_modes; do
	row "git $mode $git_n" "$(per "git $mode $git_n" "$git_n"), sdlkit/git $(ratio "$mode" 2) wall, $(ratio "$mode" 3) CPU"
done
row "sdlkit ledger record" "median of $cli_runs processes"
for s in "$n" "$big_n"; do
	for mode in cold warm incremental; do
		row "status $mode $s" "in process, median"
		row "sdlkit status $mode $s" "the command, median"
	done
done
for s in "$n" "$big_n"; do
	row "verify $s" "full, $(nproc) cores"
	row "verify $s, 1 core" "full"
	row "verify incremental $s" "one record since the cache, median"
done
row "big" "$(mbs big "$big_bytes") stored"
for c in "" ", 1 core"; do
	row "verify $n + $gb GiB$c" "$(mbs "verify $n + $gb GiB$c" "$(field "verify $n + $gb GiB" 6)") over all evidence"
done
row "sha256sum" "$(mbs sha256sum "$big_bytes"), median of 3"
row "git fsck" "one run, the whole repository"
row "git clone" "one run, --mirror --no-local"
row "verify packed $n + $gb GiB" "$(mbs "verify packed $n + $gb GiB" "$(field "verify $n + $gb GiB" 6)") over all evidence, the clone"
row "git fsck packed" "one run, the clone"
row "append $big_n" "$(per "append $big_n" "$big_n")"
column -t -s '|' "$work/summary.psv"

say ""
say "== targets"
verdict() { if [ "$2" = 1 ]; then say "PASS    $1: $3"; else say "MISSED  $1: $3"; fi; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? 1 : 0 }'; }
a=$(field "append $n" 2)
ratios=""
for mode in $git_modes; do
	ratios="$ratios; git $mode making the same $git_n commits $(secs "$(field "git $mode $git_n" 2)") (CPU $(secs "$(field "git $mode $git_n" 3)")):"
	ratios="$ratios sdlkit/git $(ratio "$mode" 2) wall, $(ratio "$mode" 3) CPU"
done
verdict "$n appends in one process under 60 s" "$(lt "$a" 60000)" "$(secs "$a") (CPU $(secs "$(field "append $n" 3)"))$ratios"
if [ "$(lt "$a" 60000)" = 0 ] || [ "$profile" = 1 ]; then top append "$ledger_frames"; fi
for mode in cold warm incremental; do
	v=$(field "sdlkit status $mode $n" 2)
	verdict "status over $n records, $mode, under 1 s" "$(lt "$v" 1000)" \
		"the command ${v} ms (median of $status_runs), in process $(field "status $mode $n" 2) ms"
	if [ "$(lt "$v" 1000)" = 0 ] || [ "$profile" = 1 ]; then top "status-$mode-$n" "$ledger_frames"; fi
done
# Verify against sha256sum. The added GiB: verify with and without it,
# the same ledger but for the GiB's 100 records. CPU time is the measure a
# shared machine disturbs least; the wall time is printed beside it. The
# whole ledger: verify's throughput over all the evidence it hashed against
# sha256sum's over the added files, on all cores and on one.
gib() { # SUFFIX COLUMN: MB/s of the added evidence
	awk -v b="$big_bytes" -v t="$(field "verify $n + $gb GiB$1" "$2")" -v s="$(field "verify $n$1" "$2")" \
		'BEGIN { printf "%.0f", (t > s) ? b / 1e6 / ((t - s) / 1000) : 0 }'
}
rate() { awk -v b="$big_bytes" -v t="$(field "$1" "$2")" 'BEGIN { printf "%.0f", b / 1e6 / (t / 1000) }'; }
whole() { # SUFFIX COLUMN: verify's MB/s over all evidence, and its ratio to sha256sum's
	awk -v b="$(field "verify $n + $gb GiB" 6)" -v t="$(field "verify $n + $gb GiB$1" "$2")" -v s="$(rate sha256sum "$2")" \
		'BEGIN { m = b / 1e6 / (t / 1000); printf "%.0f MB/s = %.2f x sha256sum", m, m / s }'
}
verdict "verify bound by hashing: on the added $gb GiB at least half sha256sum's throughput (CPU time)" \
	"$(awk -v m="$(gib "" 3)" -v s="$(rate sha256sum 3)" 'BEGIN { print (m >= s / 2) ? 1 : 0 }')" \
	"verify $(gib "" 3) MB/s of CPU ($(gib "" 2) MB/s wall; on 1 core $(gib ", 1 core" 3) MB/s of CPU, $(gib ", 1 core" 2) MB/s wall), sha256sum $(rate sha256sum 3) MB/s of CPU ($(rate sha256sum 2) MB/s wall)"
say "        the whole ledger, all its evidence, against sha256sum of the added files: on $(nproc) cores $(whole "" 2) wall," \
	"$(whole "" 3) CPU; on 1 core $(whole ", 1 core" 2) wall, $(whole ", 1 core" 3) CPU"
say "        the whole repository: verify $(secs "$(field "verify $n + $gb GiB" 2)") (CPU $(secs "$(field "verify $n + $gb GiB" 3)")), git fsck $(secs "$(field "git fsck" 2)") (CPU $(secs "$(field "git fsck" 3)")); where verify's time goes: the profile above"
say "        the clone (packed by git, as fetched): verify $(secs "$(field "verify packed $n + $gb GiB" 2)") (CPU $(secs "$(field "verify packed $n + $gb GiB" 3)")), git fsck $(secs "$(field "git fsck packed" 2)") (CPU $(secs "$(field "git fsck packed" 3)")), sha256sum of the added files $(secs "$(field sha256sum 2)")"
if [ "$scale" = 1 ]; then
	for mode in warm incremental; do
		v=$(field "sdlkit status $mode $big_n" 2)
		verdict "status over $big_n records, $mode, under 1 s" "$(lt "$v" 1000)" \
			"the command ${v} ms, in process $(field "status $mode $big_n" 2) ms; at $n: $(field "sdlkit status $mode $n" 2) ms"
	done
	grow() { awk -v a="$(field "$1 $big_n" "$2")" -v b="$(field "$1 $n" "$2")" 'BEGIN { printf "%.1fx", a / b }'; }
	say "        growth from $n to $big_n records ($(awk -v a="$big_n" -v b="$n" 'BEGIN { printf "%.0fx", a / b }')), wall (CPU):" \
		"status cold $(grow "status cold" 2) ($(grow "status cold" 3)), warm $(grow "status warm" 2) ($(grow "status warm" 3))," \
		"incremental $(grow "status incremental" 2) ($(grow "status incremental" 3)), verify full $(grow verify 2) ($(grow verify 3), records only), incremental $(grow "verify incremental" 2) ($(grow "verify incremental" 3))"
fi
