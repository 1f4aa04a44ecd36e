#!/usr/bin/env bash
# Runs each fuzz target of a fuzz build (make fuzz) for a bounded time and memory, starting from
# its committed seeds plus what earlier runs found (BUILD_DIR/corpus/<target>, kept between runs)
# and its dictionary of tokens (tests/fuzz/dict/<target>.dict) if it has one,
# and prints per target: executions per second, edge coverage (cov), features (ft), corpus size.
# A crash, leak, timeout or out-of-memory input is saved under BUILD_DIR/artifacts/<target>/;
# once fixed, copy it into tests/fuzz/corpus/<target>/ so that `make test` replays it for good.
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
set -uo pipefail
cd "$(dirname "$0")/../.."
build=$1
seconds=$2
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in tests/fuzz/*_fuzz.cpp; do
    name=$(basename "$source" _fuzz.cpp)
    targets+=("$name")
  done
fi

failed=()
printf '%-20s %9s %7s %7s %7s  %s\n' target exec/s cov ft corpus result
for target in "${targets[@]}"; do
  work="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  log="$build/logs/$target.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  dict=()
  [ -f "tests/fuzz/dict/$target.dict" ] && dict=(-dict="tests/fuzz/dict/$target.dict")
  "$build/tests/fuzz/${target}_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" "$work" \
    "tests/fuzz/corpus/$target" >"$log" 2>&1
  status=$?
  # The last status line: "#N  DONE  cov: 1234 ft: 5678 corp: 90/12Kb ... exec/s: 4321 ...".
  last=$(grep -E ' cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log")
  corpus=$(find "$work" -type f | wc -l)
  result=ok
  if [ $status -ne 0 ]; then
    result="FAILED (exit $status): $(ls -t "$artifacts" | head -n 1 | sed "s|^|$artifacts/|"), log $log"
    failed+=("$target")
  fi
  printf '%-20s %9s %7s %7s %7s  %s\n' "$target" "${rate:--}" "${cov:--}" "${ft:--}" "$corpus" \
    "$result"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
