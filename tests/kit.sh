#!/bin/sh
# The kit proves its grader: every solution at full marks with no finding
# (three runs in a row), every starter below full, every mutant its verdict.
# Usage: tests/kit.sh [STAGE...]   (default: every stage)
set -u
cd "$(dirname "$0")/.."

grader=grader/racecourse
verdict=build/tests/verdict
out=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-kit.XXXXXX")
trap 'rm -rf "$out"' EXIT
passed=0
failed=0

# check NAME SUBMISSION STAGE MODE [EXPECT]
check() {
	name=$1 sub=$2 stage=$3 mode=$4
	json="$out/result.json"
	rm -f "$json"
	$grader --stage "$stage" --format json --out "$json" "$sub" 2>"$out/stderr"
	rc=$?
	if [ "$rc" -eq 2 ] || [ ! -s "$json" ]; then
		why="the grader could not grade it (exit $rc): $(head -c 300 "$out/stderr")"
	elif [ "$mode" = expect ]; then
		why=$($verdict expect "$json" "$5")
	else
		why=$($verdict "$mode" "$json")
	fi
	if [ $? -eq 0 ] && [ -z "${why:-}" ]; then
		passed=$((passed + 1))
		printf '  ok    %s\n' "$name"
	else
		failed=$((failed + 1))
		printf '  FAIL  %s\n' "$name"
		printf '%s\n' "$why" | sed 's/^/        /'
		seed=$(sed -n 's/.*"seed": *\([0-9]*\).*/\1/p' "$json" 2>/dev/null | head -n 1)
		[ -n "$seed" ] && printf '        (seed %s)\n' "$seed"
	fi
	why=""
}

stages=${*:-$($grader --list)}
for stage in $stages; do
	echo "$stage"
	for run in 1 2 3; do
		check "solution, run $run" solutions "$stage" full
	done
	check "starter" starter "$stage" below
	for dir in tests/mutants/"$stage"/*/; do
		[ -f "$dir/expect.json" ] || continue
		check "mutant $(basename "$dir")" "$dir" "$stage" expect "$dir/expect.json"
	done
done
echo "kit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
