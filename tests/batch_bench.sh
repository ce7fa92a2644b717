#!/bin/sh
# Batch grading benchmark (not a test): a class of N made-up submissions of
# every stage, graded with both detectors, N at a time on JOBS workers.
# Usage: tests/batch_bench.sh [N] [JOBS]   (default: 100 submissions, 2 jobs)
# The targets: 100 submissions of six stages in at most 12 minutes on 2 cores,
# and within 10% of the gradings' own times added up and shared among the cores.
set -eu
cd "$(dirname "$0")/.."

n=${1:-100}
jobs=${2:-2}
grader=$PWD/grader/racecourse
tmp=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-batch-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Every submission is the solutions with, in turn, a starter or a mutant in
# place of one stage's files: a class whose grading takes about what a real
# class's does (some races, some tests that time out, most code working).
for dir in starter/*/ tests/mutants/*/*/; do
	[ -d "$dir" ] && echo "${dir%/}"
done >"$tmp/variants"
nvariants=$(wc -l <"$tmp/variants")
i=0
while [ "$i" -lt "$n" ]; do
	sub=$tmp/subs/student$(printf '%03d' "$i")
	mkdir -p "$sub"
	cp -r solutions/. "$sub/"
	if [ $((i % 4)) -ne 0 ]; then
		variant=$(sed -n "$((i % nvariants + 1))p" "$tmp/variants")
		case $variant in
		starter/*) stage=${variant#starter/} ;;
		*) stage=$(basename "$(dirname "$variant")") ;;
		esac
		cp "$variant"/*.c "$sub/$stage/"
	fi
	i=$((i + 1))
done

echo "batch bench: $n submissions of $(grader/racecourse --list | wc -l) stages, $jobs at a time"
start=$(date +%s)
"$grader" batch --jobs "$jobs" --out "$tmp/out" "$tmp/subs" >"$tmp/stdout" 2>"$tmp/stderr" || true
end=$(date +%s)
cat "$tmp/stdout"
secs=$((end - start))
echo "batch bench: $secs s in all, $((secs * 10 / n)) ds per submission" \
	"(100 submissions: about $((secs * 100 / n / 60)) min $((secs * 100 / n % 60)) s)"
# The other target: the run within 10% of the gradings' own times / cores.
per_core=$(sed -n 's/.*the gradings took [0-9]* s, \([0-9]*\) s per core.*/\1/p' "$tmp/stdout")
if [ -n "$per_core" ] && [ "$per_core" -gt 0 ]; then
	echo "batch bench: the gradings' own times / cores: $per_core s;" \
		"the run took $(((secs - per_core) * 100 / per_core))% more"
fi
