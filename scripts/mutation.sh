#!/usr/bin/env bash
# Mutation testing of one module against the tests that cover it (docs/testing.md).
#   scripts/mutation.sh sim/sweep/intervals.py tests/test_properties.py [more test files]
# Runs mutmut 3.8 (pip install -e ".[test,mutation]") in a scratch copy of the repository,
# one process (the development machine has 2 shared cores), and prints the survivors.
# Test arguments may be files or single tests (tests/test_x.py::test_y).
# Optional: MUTANTS='sim.shards.x_partition* sim.shards.x__merge*' (mutmut name globs) to
# run only those mutants; TIME_LIMIT=1200 (seconds) to stop the run there (the mutants not
# reached are reported "not checked").
set -euo pipefail
module="$1"; shift
repo="$(cd "$(dirname "$0")/.." && pwd)"
py="${PYTHON:-$repo/.venv/bin/python}"
work="$(mktemp -d "${TMPDIR:-/tmp}/mutation.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -r "$repo/sim" "$repo/tests" "$repo/configs" "$repo/scripts" "$repo/experiments" "$work/"
mkdir -p "$work/calibration" && cp -r "$repo/calibration/." "$work/calibration/" 2>/dev/null || true
grep -v '^\[tool.mutmut\]' "$repo/pyproject.toml" | sed '/^# mutmut:/,$d' > "$work/pyproject.toml"
tests=$(printf '"%s", ' "$@")
cat >> "$work/pyproject.toml" <<CFG

[tool.mutmut]
source_paths = ["sim"]
only_mutate = ["$module"]
pytest_add_cli_args_test_selection = [${tests%, }]
pytest_add_cli_args = ["-q", "-p", "no:cacheprovider", "-m", "not slow"]
also_copy = ["configs", "scripts", "calibration", "experiments"]
mutate_only_covered_lines = true
CFG
cd "$work"
start=$(date +%s)
read -r -a names <<<"${MUTANTS:-}"
status=0
timeout "${TIME_LIMIT:-0}" "$py" -m mutmut run --max-children 1 "${names[@]}" >"$work/run.log" 2>&1 \
  || status=$?
if [ "$status" = 124 ]; then
  echo "== $module: stopped at the time limit, ${TIME_LIMIT} s"
elif [ "$status" != 0 ]; then
  tail -30 "$work/run.log"; exit 1
fi
echo "== $module: $(( $(date +%s) - start )) s${MUTANTS:+ (mutants: $MUTANTS)}"
"$py" -m mutmut results --all true 2>/dev/null | sed 's/^.*: //' | sort | uniq -c || true
# survivors (and timeouts); mutants left unrun by MUTANTS or TIME_LIMIT are only counted
"$py" -m mutmut results 2>/dev/null | grep -v ': not checked$' | sed 's/^/survivor /' || true
for m in $("$py" -m mutmut results 2>/dev/null | grep -v ': not checked$' \
           | sed -n 's/^ *\([^ :]*\):.*/\1/p'); do
  "$py" -m mutmut show "$m" 2>/dev/null | sed -n '/^@@/,$p' | grep '^[-+]' | grep -v '^\(---\|+++\)' | sed "s|^|  $m |"
done
