#!/bin/sh
# make bench: grading times per stage, the stages' own throughput benchmarks
# (tests/<stage>/bench_*.c, linked with the stage's reference solution), then the
# time to grade the hostile corpus, and the time to grade a class in a batch.
set -eu
cd "$(dirname "$0")/.."
./build/tests/bench $(grader/racecourse --list)
for prog in tests/*/bench_*.c; do
	[ -f "$prog" ] || continue
	stage=$(basename "$(dirname "$prog")")
	bin=build/tests/$stage-$(basename "$prog" .c)
	echo
	cc -std=c11 -O2 -g -pthread -D_POSIX_C_SOURCE=200809L -I"assignments/$stage/include" \
		-o "$bin" "$prog" solutions/"$stage"/*.c
	"$bin"
done

# The time to grade the whole hostile corpus, in every mode this user can run.
echo
echo "The hostile corpus (tests/hostile.sh):"
sh tests/hostile.sh | grep '^hostile:' || true

# A class graded in a batch: 20 submissions (BATCH_N), extrapolated to 100.
echo
sh tests/batch_bench.sh "${BATCH_N:-20}" "${BATCH_JOBS:-2}" | grep '^batch bench\|^graded'
