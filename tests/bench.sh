#!/bin/sh
# make bench: grading times per stage, then the stages' own throughput benchmarks
# (tests/<stage>/bench_*.c, linked with the stage's reference solution).
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
