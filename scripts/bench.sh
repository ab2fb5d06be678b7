#!/usr/bin/env bash
# bench.sh -- benchmark asynclint on the real-world corpus, against ruff and flake8-async.
#
# Usage: scripts/bench.sh [CORPUS_DIR]
#
#   CORPUS_DIR  the tree to lint (default: $CORPUS_DIR if set, else ../corpus relative to
#               the repository root).
#               If it does not exist, the script prints the command that builds it
#               (/work/shared/corpus/make-corpus.sh) and exits with status 2.
#
# What it does, from any current directory:
#   1. builds asynclint in release mode (cargo build --release) and the parse floor
#      (cargo bench --no-run --bench parse_floor: benches/parse_floor.rs, which reads,
#      decodes, parses and walks every file asynclint lints, and does nothing else);
#      cargo's logs go to stderr;
#   2. counts the files asynclint lints in CORPUS_DIR: *.py and *.pyi regular files (and
#      links to files), skipping the directories asynclint never walks (DEFAULT_EXCLUDES
#      in src/discovery.rs). The corpus holds no .gitignore/.ignore files; if a tree does,
#      the count may be too high (a warning says so);
#   3. for each configuration below, runs it once under /usr/bin/time -v to check that it
#      works (exit status 0), count its diagnostics and read its peak memory (max RSS; for
#      flake8's worker processes that is the largest single process, not the sum), then
#      times it: hyperfine (--warmup, --runs) if installed, else BENCH_RUNS runs timed with
#      `date +%s%N` (and bash's `time` for CPU). Wall times are medians; CPU time is the
#      mean user+sys, which a busy machine disturbs much less than wall time;
#   4. prints a table to stdout: median wall time, mean +- sd, files/s (counted files /
#      median wall), CPU time, max RSS, diagnostics, each tool's wall and CPU time divided
#      by asynclint's at the same thread count ("wall x", "cpu x") and by the parse
#      floor's ("floor x", "fcpu x"); then a summary of the ratios against the goals
#      (asynclint within 10% of the floor, ruff/asynclint >= 1.3, cached re-run < 0.1 of
#      cold, within 10% of the baseline), the size of the project-wide facts (parse_floor
#      --facts), and the scale table (BENCH_SCALE).
#
# Configurations (NCPU = nproc), all run with the corpus as current directory on `.`:
#   parse floor -j 1 / -j NCPU  parse_floor -j N .
#   asynclint -j 1 / -j NCPU    asynclint --output-format concise --exit-zero --no-cache
#                                 --isolated -j N .
#   ruff 1 thread / NCPU        ruff check --select ASYNC,PLE1142,PLE1700,F704,RUF006
#                                 --no-cache --isolated --exit-zero --output-format concise .
#                               (one thread: RAYON_NUM_THREADS=1, which bounds ruff's
#                               linting threads but not its directory walker)
#   baseline -j 1 / -j NCPU     BENCH_BASELINE_BIN with the asynclint arguments it accepts
#                               (read from its --help); only when BENCH_BASELINE_BIN is set
#   asynclint cached -j NCPU    asynclint --output-format concise --exit-zero --isolated
#                                 --cache-dir TMP -j NCPU . after one run that fills TMP
#   flake8 -j NCPU              flake8 --isolated --select ASYNC --exit-zero -j NCPU .
#                               (flake8-async plugin; --select ASYNC includes the libcst-based
#                               ASYNC9xx checks, and flake8 still runs pyflakes/pycodestyle:
#                               about 45 s of CPU per MB of source, ~35 min for the whole
#                               corpus on 2 idle cores, so one run by default, at -j NCPU
#                               only, and BENCH_FLAKE8_TREE can restrict it to a part)
#   scale trees (-j NCPU)       asynclint (cold, as above) and the parse floor on synthetic
#                               trees of N files: the corpus's *.py files hard-linked
#                               round-robin into <target>/bench-scale/N/dDDDD/fNNNNNN_<name>.py,
#                               500 files a directory (symbolic links if hard links fail);
#                               built once and reused: remove <target>/bench-scale after
#                               changing the corpus
# All tools print one line per diagnostic ("concise"), so rendering costs are alike.
#
# Tools: hyperfine and GNU time (/usr/bin/time) are installed with apt-get when missing and
# the script runs as root; ruff, flake8 and flake8-async are pip-installed (pinned, see
# BENCH_PIP_SPECS) into a venv at target/bench-venv. Without them the script falls back
# (date-based timing, python3's getrusage for RSS) or skips the comparison, and says so.
#
# Environment:
#   BENCH_RUNS          timed runs per asynclint/ruff/floor configuration (default 10)
#   BENCH_WARMUP        hyperfine warm-up runs (default 1; the check run also warms caches)
#   BENCH_FLAKE8        0 to skip flake8 (default 1)
#   BENCH_FLAKE8_RUNS   timed runs of flake8 (default 1: the check run is the timed run)
#   BENCH_FLAKE8_TREE   the directory, relative to CORPUS_DIR, that flake8 lints (default
#                       ".", all of it). When it is a part, the floor, asynclint -j NCPU and
#                       ruff are timed on that part too (rows marked "*"), and flake8's
#                       ratios are taken against asynclint and the floor on the same files.
#   BENCH_VENV          venv holding ruff/flake8 (default <repo>/target/bench-venv)
#   BENCH_PIP_SPECS     what to pip-install there
#                       (default "ruff==0.17.6 flake8==7.5.0 flake8-async==26.8.1")
#   BENCH_NO_INSTALL    1: install nothing (no apt-get, no pip)
#   BENCH_NO_HYPERFINE  1: use the date-based fallback even if hyperfine is installed
#   BENCH_BASELINE_BIN  another asynclint binary (e.g. an older release) to time on the
#                       corpus beside this one (rows "baseline"; default: none)
#   BENCH_SCALE         sizes of the synthetic trees, in files (default "1000 10000";
#                       "" or 0 disables the scale runs)
#   BENCH_SCALE_RUNS    timed runs per tool and size (default 3; no warm-up: the check
#                       run warms the caches)
#
# The machine is shared and noisy: compare the ratios taken within one run, not absolute
# times across runs. Exit status: 0 on success, 2 when the corpus is missing, 1 on error.

set -eu
set -o pipefail

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

[ $# -le 1 ] || { echo "usage: $0 [CORPUS_DIR]" >&2; exit 1; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 1 ]; then corpus=$1
elif [ -n "${CORPUS_DIR:-}" ]; then corpus=$CORPUS_DIR
else corpus=$(cd "$ROOT/.." && pwd)/corpus; fi
if [ ! -d "$corpus" ]; then
    cat >&2 <<EOF
bench: no corpus at $corpus
Build it first (downloads 25 pinned projects from PyPI, ~90 MB of Python):
    CORPUS_DOWNLOADS=/work/corpus-downloads /work/shared/corpus/make-corpus.sh $corpus
EOF
    exit 2
fi
corpus=$(cd "$corpus" && pwd)

BENCH_RUNS=${BENCH_RUNS:-10}
BENCH_WARMUP=${BENCH_WARMUP:-1}
BENCH_FLAKE8=${BENCH_FLAKE8:-1}
BENCH_FLAKE8_RUNS=${BENCH_FLAKE8_RUNS:-1}
BENCH_FLAKE8_TREE=${BENCH_FLAKE8_TREE:-.}
BENCH_VENV=${BENCH_VENV:-$ROOT/target/bench-venv}
BENCH_PIP_SPECS=${BENCH_PIP_SPECS:-ruff==0.17.6 flake8==7.5.0 flake8-async==26.8.1}
BENCH_NO_INSTALL=${BENCH_NO_INSTALL:-0}
BENCH_NO_HYPERFINE=${BENCH_NO_HYPERFINE:-0}
BENCH_BASELINE_BIN=${BENCH_BASELINE_BIN:-}
BENCH_SCALE=${BENCH_SCALE-1000 10000}
BENCH_SCALE_RUNS=${BENCH_SCALE_RUNS:-3}
WARMUP=$BENCH_WARMUP
NCPU=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/asynclint-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools

can_apt() { [ "$BENCH_NO_INSTALL" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
apt_install() { # package
    note "installing $1 with apt-get"
    apt-get install -y -qq "$1" >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$1" >/dev/null 2>&1; } \
        || { note "could not install $1"; return 1; }
}

if ! command -v hyperfine >/dev/null 2>&1 && can_apt; then apt_install hyperfine || true; fi
if [ ! -x /usr/bin/time ] && can_apt; then apt_install time || true; fi
use_hyperfine=0
if [ "$BENCH_NO_HYPERFINE" != 1 ] && command -v hyperfine >/dev/null 2>&1; then use_hyperfine=1; fi

if [ ! -x "$BENCH_VENV/bin/python" ] && [ "$BENCH_NO_INSTALL" != 1 ]; then
    note "creating venv $BENCH_VENV"
    python3 -m venv "$BENCH_VENV" >&2 || note "could not create $BENCH_VENV"
fi
if [ -x "$BENCH_VENV/bin/python" ] && [ "$BENCH_NO_INSTALL" != 1 ]; then
    # shellcheck disable=SC2086 # BENCH_PIP_SPECS is a list of requirement specifiers
    "$BENCH_VENV/bin/python" -m pip install -q --disable-pip-version-check $BENCH_PIP_SPECS >&2 \
        || note "pip install failed; using whatever is in $BENCH_VENV"
fi
find_tool() { # name: the venv's copy, else one on PATH, else nothing
    if [ -x "$BENCH_VENV/bin/$1" ]; then printf '%s\n' "$BENCH_VENV/bin/$1"
    else command -v "$1" 2>/dev/null || true; fi
}
RUFF=$(find_tool ruff)
FLAKE8=$(find_tool flake8)
[ -n "$RUFF" ] || note "ruff not found: no ruff comparison"
if [ "$BENCH_FLAKE8" = 1 ]; then
    if [ -z "$FLAKE8" ]; then
        note "flake8 not found: no flake8 comparison"
    elif ! "$FLAKE8" --version 2>/dev/null | grep -q 'flake8-async'; then
        note "flake8 has no flake8-async plugin: no flake8 comparison"; FLAKE8=
    fi
else
    FLAKE8=
fi

# ---------------------------------------------------------------- build

note "building asynclint (release)"
(cd "$ROOT" && cargo build --release --quiet) || die "cargo build --release failed"
target_dir=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps 2>/dev/null \
    | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
ASYNCLINT=${target_dir:-$ROOT/target}/release/asynclint
[ -x "$ASYNCLINT" ] || die "no binary at $ASYNCLINT"

note "building the parse floor (cargo bench --no-run --bench parse_floor)"
(cd "$ROOT" && cargo bench --no-run --bench parse_floor) 2> "$tmp/floor-build" \
    || { cat "$tmp/floor-build" >&2; die "cargo bench --no-run --bench parse_floor failed"; }
# "  Executable benches/parse_floor.rs (target/release/deps/parse_floor-HASH)"
FLOOR=$(sed -n 's/^ *Executable .*parse_floor.rs (\(.*\))$/\1/p' "$tmp/floor-build" | tail -n 1)
case $FLOOR in "") ;; /*) ;; *) FLOOR=$ROOT/$FLOOR ;; esac
[ -n "$FLOOR" ] && [ -x "$FLOOR" ] || { cat "$tmp/floor-build" >&2; die "no parse_floor executable"; }

# The baseline binary and the asynclint arguments it knows (read from its --help).
BASELINE=
BASE_ARGS=()
if [ -n "$BENCH_BASELINE_BIN" ]; then
    [ -x "$BENCH_BASELINE_BIN" ] || die "BENCH_BASELINE_BIN: no executable at $BENCH_BASELINE_BIN"
    BASELINE=$(cd "$(dirname "$BENCH_BASELINE_BIN")" && pwd)/$(basename "$BENCH_BASELINE_BIN")
    base_help=$("$BASELINE" --help 2>&1) || true
    if grep -q -- '--output-format' <<< "$base_help" && grep -q 'concise' <<< "$base_help"; then
        BASE_ARGS+=(--output-format concise)
    else
        note "baseline: no --output-format concise; it prints its default format"
    fi
    for flag in --exit-zero --no-cache --isolated; do
        if grep -q -- "$flag" <<< "$base_help"; then BASE_ARGS+=("$flag")
        else note "baseline: no $flag option; run without it"; fi
    done
    grep -qE -- '-j, --threads|--threads' <<< "$base_help" || die "baseline: no -j option"
fi

# ---------------------------------------------------------------- corpus

# The directories asynclint never descends into (src/discovery.rs, DEFAULT_EXCLUDES).
EXCLUDES='.bzr .direnv .eggs .git .git-rewrite .hg .ipynb_checkpoints .mypy_cache .nox
.pants.d .pyenv .pytest_cache .pytype .ruff_cache .asynclint_cache .svn .tox .venv .vscode
__pycache__ __pypackages__ _build buck-out build dist node_modules site-packages venv'
set -f
prune=()
for d in $EXCLUDES; do prune+=(${prune[0]+-o} -name "$d"); done
set +f
# count_files DIR: prints "files bytes" for what asynclint would lint in DIR.
count_files() {
    find "$1" -mindepth 1 -type d \( "${prune[@]}" \) -prune -o \
        \( -type f -o \( -type l -xtype f \) \) \( -name '*.py' -o -name '*.pyi' \) -print0 \
        > "$tmp/files"
    printf '%s %s\n' "$(tr -cd '\0' < "$tmp/files" | wc -c | tr -d ' ')" \
        "$(xargs -0 cat < "$tmp/files" | wc -c | tr -d ' ')"
}
read -r nfiles nbytes <<< "$(count_files "$corpus")"
[ "$nfiles" -gt 0 ] || die "no *.py/*.pyi files in $corpus"
cp "$tmp/files" "$tmp/corpus-files"
if [ -n "$(find "$corpus" \( -name .gitignore -o -name .ignore \) -print -quit)" ]; then
    note "warning: $corpus has .gitignore/.ignore files; the file count ignores them"
fi
# flake8's tree: the corpus, or a part of it (BENCH_FLAKE8_TREE)
f8tree=.
if [ -n "$FLAKE8" ] && [ "$BENCH_FLAKE8_TREE" != . ]; then
    f8tree=$BENCH_FLAKE8_TREE
    [ -d "$corpus/$f8tree" ] || die "BENCH_FLAKE8_TREE: no directory $corpus/$f8tree"
    read -r f8files f8bytes <<< "$(count_files "$corpus/$f8tree")"
fi

# ---------------------------------------------------------------- measuring

# check LABEL CMD...: one run with output kept; prints "wall_s cpu_s rss_kib diagnostics".
check() {
    local label=$1; shift
    local out=$tmp/out err=$tmp/err status=0 t0 t1 rss cpu
    t0=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v -o "$tmp/time" "$@" > "$out" 2> "$err" || status=$?
        rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): *//p' "$tmp/time")
        cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ {s += $2}
            END {print s + 0}' "$tmp/time")
    else
        python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "w")).returncode
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1] + ".ru", "w").write("%d %.3f" % (u.ru_maxrss, u.ru_utime + u.ru_stime))
sys.exit(r)' "$out" "$@" 2> "$err" || status=$?
        read -r rss cpu < "$out.ru" || true
    fi
    t1=$(date +%s%N)
    if [ "$status" != 0 ]; then
        note "$label failed (exit $status): $*"
        head -20 "$err" >&2
        return 1
    fi
    local diags
    # "path:row:col: CODE message" (asynclint, ruff --output-format concise, flake8)
    diags=$(grep -cE '^[^ ].*:[0-9]+:[0-9]+: [^ ]' "$out" || true)
    awk -v us=$(( (t1 - t0) / 1000 )) -v cpu="${cpu:-0}" -v rss="${rss:-0}" -v d="$diags" \
        'BEGIN {printf "%.6f %.3f %s %s\n", us / 1e6, cpu, rss, d}'
}

# time_runs RUNS CMD...: prints "median_wall mean_wall sd_wall mean_cpu" in seconds.
time_runs() {
    local runs=$1; shift
    if [ "$use_hyperfine" = 1 ]; then
        hyperfine -N --style basic --warmup "$WARMUP" --runs "$runs" \
            --export-csv "$tmp/hf.csv" -- "$(quote "$@")" >&2
        # command,mean,stddev,median,user,system,min,max (the command may hold commas)
        awk -F, 'NR == 2 {printf "%s %s %s %.3f\n", $(NF-4), $(NF-6), $(NF-5), $(NF-3) + $(NF-2)}' \
            "$tmp/hf.csv"
    else
        : > "$tmp/samples"
        : > "$tmp/cpu"
        local t0 t1 TIMEFORMAT='%3U %3S'
        for _ in $(seq "$runs"); do
            t0=$(date +%s%N)
            { time "$@" > /dev/null 2>&1; } 2>> "$tmp/cpu"
            t1=$(date +%s%N)
            echo $(( (t1 - t0) / 1000 )) >> "$tmp/samples"
        done
        local cpu
        cpu=$(awk '{s += $1 + $2} END {printf "%.3f", s / NR}' "$tmp/cpu")
        sort -n "$tmp/samples" | awk -v cpu="$cpu" '{ v[NR] = $1 / 1e6; s += v[NR]; ss += v[NR] * v[NR] }
            END { n = NR; m = s / n
                  med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
                  var = (n > 1) ? (ss - n * m * m) / (n - 1) : 0
                  printf "%.6f %.6f %.6f %s\n", med, m, (var > 0) ? sqrt(var) : 0, cpu }'
    fi
}

# Quote a command for hyperfine -N, which splits it like a shell (paths have no quotes).
quote() { local a s=; for a in "$@"; do s="$s${s:+ }'$a'"; done; printf '%s' "$s"; }

# measure LABEL THREADS RUNS FILES CMD...: appends a row to the file $results; a LABEL
# ending in "*" was run on flake8's tree.
measure() {
    local label=$1 threads=$2 runs=$3 files=$4; shift 4
    note "measuring $label, $threads thread(s), $runs run(s)"
    local c wall cpu rss diags med mean sd
    c=$(check "$label" "$@") || return 0
    read -r wall cpu rss diags <<< "$c"
    if [ "$runs" -le 1 ]; then
        med=$wall mean=$wall sd=0 runs=1
    else
        read -r med mean sd cpu <<< "$(time_runs "$runs" "$@")" || true
        [ -n "${cpu:-}" ] || { note "$label: timing failed"; return 0; }
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$threads" "$runs" \
        "$med" "$mean" "$sd" "$cpu" "$rss" "$diags" "$files" >> "$results"
}

cd "$corpus"
results=$tmp/results
: > "$results"
RUFF_ARGS=(check --select "ASYNC,PLE1142,PLE1700,F704,RUF006" --no-cache --isolated --exit-zero
    --output-format concise)
AL_ARGS=(--output-format concise --exit-zero --no-cache --isolated)
floor_line=
threads_list=1
[ "$NCPU" -le 1 ] || threads_list="1 $NCPU"
for t in $threads_list; do
    measure "parse floor" "$t" "$BENCH_RUNS" "$nfiles" "$FLOOR" -j "$t" .
    if [ "$t" = 1 ]; then
        floor_line=$(head -n 1 "$tmp/out")
        [ "${floor_line%% *}" = "$nfiles" ] \
            || note "warning: the parse floor saw ${floor_line%% *} files, not $nfiles"
    fi
    measure asynclint "$t" "$BENCH_RUNS" "$nfiles" "$ASYNCLINT" "${AL_ARGS[@]}" -j "$t" .
    if [ -n "$RUFF" ]; then
        if [ "$t" = 1 ]; then
            measure ruff 1 "$BENCH_RUNS" "$nfiles" env RAYON_NUM_THREADS=1 "$RUFF" "${RUFF_ARGS[@]}" .
        else
            measure ruff "$t" "$BENCH_RUNS" "$nfiles" "$RUFF" "${RUFF_ARGS[@]}" .
        fi
    fi
    [ -z "$BASELINE" ] \
        || measure baseline "$t" "$BENCH_RUNS" "$nfiles" "$BASELINE" "${BASE_ARGS[@]}" -j "$t" .
done

# Cached re-run: one run fills a fresh cache directory, the timed runs read it.
cache_dir=$tmp/cache
CACHED_ARGS=(--output-format concise --exit-zero --isolated --cache-dir "$cache_dir")
note "filling the cache in $cache_dir"
cache_bytes=0
if "$ASYNCLINT" "${CACHED_ARGS[@]}" -j "$NCPU" . > /dev/null 2> "$tmp/err"; then
    cache_bytes=$(wc -c < "$cache_dir/lint-results.postcard" 2>/dev/null | tr -d ' ' || echo 0)
    measure "asynclint cached" "$NCPU" "$BENCH_RUNS" "$nfiles" \
        "$ASYNCLINT" "${CACHED_ARGS[@]}" -j "$NCPU" .
else
    note "the run that fills the cache failed"; head -20 "$tmp/err" >&2
fi

if [ -n "$FLAKE8" ]; then
    mark='' f8n=$nfiles
    if [ "$f8tree" != . ]; then
        mark='*' f8n=$f8files
        measure "parse floor*" "$NCPU" "$BENCH_RUNS" "$f8n" "$FLOOR" -j "$NCPU" "$f8tree"
        measure "asynclint*" "$NCPU" "$BENCH_RUNS" "$f8n" \
            "$ASYNCLINT" "${AL_ARGS[@]}" -j "$NCPU" "$f8tree"
        [ -z "$RUFF" ] || measure "ruff*" "$NCPU" "$BENCH_RUNS" "$f8n" "$RUFF" "${RUFF_ARGS[@]}" "$f8tree"
    fi
    note "flake8 with flake8-async is slow: about 45 s of CPU per MB of source (~35 min a run"
    note "for the whole corpus on 2 idle cores); BENCH_FLAKE8_TREE picks a part, BENCH_FLAKE8=0 skips"
    measure "flake8-async$mark" "$NCPU" "$BENCH_FLAKE8_RUNS" "$f8n" \
        "$FLAKE8" --isolated --select ASYNC --exit-zero -j "$NCPU" "$f8tree"
fi

# Project-wide facts: what asynclint keeps per file for its phase 2 (as JSON).
note "measuring the project facts (parse_floor --facts)"
facts_line=$("$FLOOR" --facts -j "$NCPU" . 2> "$tmp/err") \
    || { note "parse_floor --facts failed"; head -20 "$tmp/err" >&2; facts_line="failed"; }

# ---------------------------------------------------------------- scale

scale_root=${target_dir:-$ROOT/target}/bench-scale
# build_tree N: scale_root/N, N files hard-linked round-robin from the corpus's *.py files,
# 500 a directory; built once (a .complete marker), then reused.
build_tree() {
    local dir=$scale_root/$1
    [ -f "$dir/.complete" ] && return 0
    note "building $dir ($1 files, hard links)"
    rm -rf "$dir"
    python3 - "$dir" "$1" "$tmp/corpus-files" <<'PY'
import os, sys
dest, n, listing = os.fsencode(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with open(listing, "rb") as f:
    sources = sorted(p for p in f.read().split(b"\0") if p.endswith(b".py"))
if not sources:
    sys.exit("bench: no *.py files to build the scale tree from")
for i in range(n):
    src = sources[i % len(sources)]
    d = os.path.join(dest, b"d%04d" % (i // 500))
    if i % 500 == 0:
        os.makedirs(d, exist_ok=True)
    dst = os.path.join(d, b"f%06d_" % i + os.path.basename(src))
    try:
        os.link(src, dst)
    except OSError:
        os.symlink(src, dst)
open(os.path.join(dest, b".complete"), "w").close()
PY
}

scale_sizes=
for n in $BENCH_SCALE; do
    case $n in
        0) ;;
        *[!0-9]*) die "BENCH_SCALE: not a number of files: $n" ;;
        *) scale_sizes="$scale_sizes $n" ;;
    esac
done
: > "$tmp/scale"
if [ -n "$scale_sizes" ]; then
    WARMUP=0
    for n in $scale_sizes; do
        build_tree "$n" || die "could not build $scale_root/$n"
        read -r sfiles sbytes <<< "$(find -L "$scale_root/$n" -type f -name '*.py' -printf '%s\n' \
            | awk '{n++; s += $1} END {print n + 0, s + 0}')"
        cd "$scale_root/$n"
        results=$tmp/scale-rows
        : > "$results"
        measure "parse floor" "$NCPU" "$BENCH_SCALE_RUNS" "$sfiles" "$FLOOR" -j "$NCPU" .
        seen=$(head -n 1 "$tmp/out")
        [ "${seen%% *}" = "$sfiles" ] \
            || note "warning: the parse floor saw ${seen%% *} files in $scale_root/$n, not $sfiles"
        measure asynclint "$NCPU" "$BENCH_SCALE_RUNS" "$sfiles" "$ASYNCLINT" "${AL_ARGS[@]}" -j "$NCPU" .
        awk -F'\t' -v n="$n" -v b="$sbytes" 'BEGIN {OFS = "\t"} {print n, b, $0}' "$results" \
            >> "$tmp/scale"
    done
    cd "$corpus"
fi

# ---------------------------------------------------------------- report

al_version=$("$ASYNCLINT" --version 2>/dev/null | awk '{print $NF}')
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then rev="$rev+dirty"; fi
tools="asynclint $al_version ($rev)"
[ -z "$RUFF" ] || tools="$tools, ruff $("$RUFF" --version | awk '{print $2}')"
if [ -n "$FLAKE8" ]; then
    fv=$("$FLAKE8" --version | tr '\n' ' ')
    tools="$tools, flake8 $(echo "$fv" | awk '{print $1}') + flake8-async $(echo "$fv" \
        | sed -n 's/.*flake8-async: \([^,)]*\).*/\1/p') ($(echo "$fv" | grep -o 'CPython [0-9.]*'))"
fi
if [ "$use_hyperfine" = 1 ]; then timer="hyperfine $(hyperfine --version | awk '{print $2}')"
else timer="date +%s%N"; fi

echo "asynclint benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  $(uname -m), $NCPU cores, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "corpus: $corpus  $nfiles files (.py/.pyi)  $nbytes bytes"
if [ "$f8tree" != . ]; then
    echo "*:      on $f8tree only ($f8files files, $f8bytes bytes), as is flake8 (BENCH_FLAKE8_TREE)"
fi
echo "tools:  $tools"
echo "floor:  $FLOOR ($floor_line at -j 1)"
if [ -n "$BASELINE" ]; then
    echo "baseline: $BASELINE ($("$BASELINE" --version 2>/dev/null || echo '?'); args: ${BASE_ARGS[*]})"
fi
echo "timing: $timer; wall = median, cpu = mean user+sys, RSS = peak of one run;"
echo "        wall x / cpu x = tool / asynclint at the same -j (> 1: asynclint is faster);"
echo "        floor x / fcpu x = tool / parse floor at the same -j (wall / cpu)"
echo
awk -F'\t' -v ncpu="$NCPU" -v threads="$threads_list" -v cache_bytes="$cache_bytes" '
    { label[NR] = $1; thr[NR] = $2; runs[NR] = $3; med[NR] = $4; mean[NR] = $5; sd[NR] = $6
      cpu[NR] = $7; rss[NR] = $8; diags[NR] = $9; files[NR] = $10
      k = $2 ($1 ~ /\*$/ ? "*" : ""); key[NR] = k
      if ($1 ~ /^asynclint\*?$/) { base[k] = $4; cbase[k] = $7; brss[k] = $8 }
      if ($1 ~ /^parse floor\*?$/) { floor[k] = $4; cfloor[k] = $7 }
      if ($1 ~ /^ruff\*?$/) { ruff[k] = $4; cruff[k] = $7 }
      if ($1 == "baseline") { old[k] = $4; cold[k] = $7; orss[k] = $8 }
      if ($1 == "asynclint cached") { cached[k] = $4; ccached[k] = $7 } }
    function ratio(x, b) { return (b > 0) ? sprintf("%.2f", x / b) : "-" }
    function rate(n, t) { return (t <= 0) ? "-" : (n / t >= 100) ? sprintf("%.0f", n / t) : sprintf("%.2f", n / t) }
    END {
      printf "%-16s %3s %4s %8s %16s %8s %8s %7s %5s %7s %7s %7s %7s\n", "tool", "-j", "runs", \
          "wall s", "mean +- sd s", "files/s", "cpu s", "RSS MiB", "diags", "wall x", "cpu x", \
          "floor x", "fcpu x"
      for (i = 1; i <= NR; i++)
          printf "%-16s %3s %4s %8.3f %7.3f +- %5.3f %8s %8.2f %7.1f %5s %7s %7s %7s %7s\n", \
              label[i], thr[i], runs[i], med[i], mean[i], sd[i], rate(files[i], med[i]), cpu[i], \
              rss[i] / 1024, diags[i], ratio(med[i], base[key[i]]), ratio(cpu[i], cbase[key[i]]), \
              ratio(med[i], floor[key[i]]), ratio(cpu[i], cfloor[key[i]])
      print ""
      print "summary (wall / cpu ratios; goals from issues 3 and 5):"
      n = split(threads, ts, " ")
      for (j = 1; j <= n; j++) {
          t = ts[j]
          printf "  -j %s: asynclint = %s / %s x the floor (goal <= 1.10)", t, \
              ratio(base[t], floor[t]), ratio(cbase[t], cfloor[t])
          if (t in ruff)
              printf "; ruff = %s / %s x the floor; ruff/asynclint = %s / %s (goal >= 1.30)", \
                  ratio(ruff[t], floor[t]), ratio(cruff[t], cfloor[t]), \
                  ratio(ruff[t], base[t]), ratio(cruff[t], cbase[t])
          printf "\n"
          if (t in old)
              printf "  -j %s: asynclint/baseline = %s / %s (goal <= 1.10); peak RSS %.1f / %.1f MiB\n", \
                  t, ratio(base[t], old[t]), ratio(cbase[t], cold[t]), brss[t] / 1024, orss[t] / 1024
      }
      if (ncpu in cached)
          printf "  -j %s: cached re-run / cold = %s / %s (goal < 0.10); %.3f s against %.3f s; cache file %d bytes\n", \
              ncpu, ratio(cached[ncpu], base[ncpu]), ratio(ccached[ncpu], cbase[ncpu]), \
              cached[ncpu], base[ncpu], cache_bytes
    }' "$tmp/results"
echo "  facts (parse_floor --facts, corpus): $facts_line"

if [ -s "$tmp/scale" ]; then
    echo
    echo "scale: synthetic trees under $scale_root (corpus *.py files hard-linked round-robin),"
    echo "       -j $NCPU, $BENCH_SCALE_RUNS run(s) each; x time / x bytes = against the previous size;"
    echo "       growth = x time / x bytes (goal <= 1.05: 10x files -> <= 10.5x time);"
    echo "       RSS B/file = added peak RSS / added files against the previous size"
    awk -F'\t' '
        function ratio(x, b) { return (b > 0) ? sprintf("%.2f", x / b) : "-" }
        { n = $1; b = $2; l = $3; med = $6; cpu = $9; rss = $10 * 1024; f = $12
          x = "-"; xb = "-"; g = "-"; gc = "-"; rb = "-"
          if (l in pmed) {
              x = ratio(med, pmed[l]); xb = ratio(b, pb[l])
              g = (pmed[l] > 0 && b > pb[l]) ? sprintf("%.2f", (med / pmed[l]) / (b / pb[l])) : "-"
              gc = (pcpu[l] > 0 && b > pb[l]) ? sprintf("%.2f", (cpu / pcpu[l]) / (b / pb[l])) : "-"
              rb = (f > pf[l]) ? sprintf("%.0f", (rss - prss[l]) / (f - pf[l])) : "-"
          }
          if (NR == 1)
              printf "%7s %9s %-12s %8s %8s %8s %8s %8s %7s %7s %7s %7s %8s\n", "files", "MB", "tool", \
                  "wall s", "cpu s", "us/file", "ms/MB", "RSS MiB", "x time", "x bytes", "growth", \
                  "cpu gr", "RSS B/f"
          printf "%7d %9.1f %-12s %8.3f %8.2f %8.1f %8.2f %8.1f %7s %7s %7s %7s %8s\n", f, b / 1e6, l, \
              med, cpu, (f > 0) ? med * 1e6 / f : 0, (b > 0) ? med * 1e3 / (b / 1e6) : 0, \
              rss / 1048576, x, xb, g, gc, rb
          pmed[l] = med; pcpu[l] = cpu; pb[l] = b; prss[l] = rss; pf[l] = f }' "$tmp/scale"
fi
