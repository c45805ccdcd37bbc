#!/usr/bin/env bash
# Writes crates/plupper-cli/startup.order: the functions of the `plupper-archive` binary
# that a start and a short query run, for the linker to place together (see
# crates/plupper-cli/build.rs).
#
# Usage: benches/startup-order.sh [BINARY]          (default: target/release/plupper-archive,
#                                                    built first)
#        benches/startup-order.sh --check [BINARY]  how many of the file's functions the
#                                                    binary has, by their names (nm); fails
#                                                    below 90 % (CI runs it on the release
#                                                    build of its benchmark smoke test)
#
# Needs valgrind (callgrind counts every function a process runs, where a sampling
# profiler misses the rare ones). It imports the sample data in data/ into a fresh
# archive in a temporary directory and runs each command below under callgrind; the
# symbol names are the linker's (mangled), so the file holds for the compiler and
# Cargo.lock it was written with. Run it again after a toolchain or dependency upgrade:
# names the binary no longer has are skipped by the linker, and the start is then as
# slow as without the file, never wrong.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/crates/plupper-cli/startup.order"
check=false
if [[ "${1:-}" == --check ]]; then
  check=true
  shift
fi
bin=${1:-}
if [[ -z "$bin" ]]; then
  (cd "$root" && cargo build --release -q -p plupper-cli)
  bin="$root/target/release/plupper-archive"
fi
if $check; then
  listed=$(grep -v '^#' "$out" | sort -u)
  found=$(comm -12 <(echo "$listed") <(nm --defined-only "$bin" | awk '{ print $3 }' | sort -u) | wc -l)
  total=$(echo "$listed" | wc -l)
  echo "startup-order.sh: $bin has $found of the $total functions in $out"
  # A checkout at another path differs in the names that carry LLVM's hash of their
  # module (`.llvm.` and digits; the module's debug information holds the path): about
  # 4 %. A new toolchain or dependency renames half or more.
  if ((found * 100 < total * 90)); then
    echo "startup-order.sh: the list is stale (another toolchain or Cargo.lock?): run benches/startup-order.sh to write it again" >&2
    exit 1
  fi
  exit 0
fi
command -v valgrind >/dev/null || { echo "startup-order.sh: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
archive="$work/archive"
"$bin" --archive "$archive" import "$root/data" >/dev/null 2>&1

# A start, then the queries a user or a script asks most, in each output format: every
# function any of them runs is in the file, the ones the first commands run first.
commands=(
  "--version"
  "--archive $archive query --visitor-id 32751 --count"
  "--archive $archive query --visitor-id 32751 --format ndjson"
  "--archive $archive query --contains money --count"
  "--archive $archive query --contains money --format ndjson"
  "--archive $archive query --params contains=100%25 --count"
  "--archive $archive query --params contains=100%25 --format ndjson"
  "--archive $archive query --contains su --format ndjson"
  "--archive $archive query --customer-id IBM --count"
  "--archive $archive query --customer-id IBM --operator peter --format ndjson"
  "--archive $archive query --operator peter --contains ďakujem --format table"
  "--archive $archive query --from 03/01/10 --to 03/31/10 --contains order --format api"
  "--archive $archive query --from 03/01/10 --to 03/31/10 --format csv"
  "--archive $archive search money --limit 3"
)
i=0
for command in "${commands[@]}"; do
  i=$((i + 1))
  # shellcheck disable=SC2086 # each command is its words
  valgrind -q --tool=callgrind --demangle=no --callgrind-out-file="$work/run$i.out" \
    "$bin" $command >/dev/null 2>&1
done

{
  echo "# The functions of plupper-archive that a start and a short query run, those of"
  echo "# the first commands first; written by benches/startup-order.sh ($(rustc --version 2>/dev/null || echo rustc))."
  for i in $(seq 1 "$i"); do
    # callgrind names each function once (`fn=(7) name`, then `fn=(7)`), in the
    # object last named by `ob=`; recursion shows as a `'2` suffix.
    awk -v binary="$bin" '
      function parse(line,   opening, closing) {
        opening = index(line, "("); closing = index(line, ")")
        id = substr(line, opening + 1, closing - opening - 1)
        name = substr(line, closing + 2)
        sub(/'\''[0-9]+$/, "", name)
      }
      /^c?ob=\(/ {
        parse($0)
        if (name != "") object[id] = name
        if ($0 ~ /^ob=/) current = object[id]
        next
      }
      /^c?fn=\(/ {
        parse($0)
        if (name != "") function_name[id] = name
        if ($0 ~ /^fn=/ && current == binary) print function_name[id]
      }
    ' "$work/run$i.out"
  done | awk '!seen[$0]++ && $0 !~ /^0x/ && $0 != "(below main)"'
} >"$out"
echo "startup-order.sh: $(grep -vc '^#' "$out") functions written to $out" >&2
