#!/bin/sh
# The kit proves its grader: every solution at full marks with no finding
# (three runs in a row), every starter below full, every mutant its verdict.
# Usage: tests/kit.sh [STAGE...]   (default: every stage)
set -u
cd "$(dirname "$0")/.."

grader=${GRADER:-grader/racecourse}
verdict=build/tests/verdict
out=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-kit.XXXXXX")
trap 'rm -rf "$out"' EXIT
passed=0
failed=0

pass() {
	passed=$((passed + 1))
	printf '  ok    %s\n' "$1"
}
# fail NAME WHY [FILE]: WHY on the FAIL line, then the start of FILE.
fail() {
	failed=$((failed + 1))
	printf '  FAIL  %s%s\n' "$1" "${2:+: $2}"
	[ -z "${3:-}" ] || sed 's/^/        /' "$3" | head -n 20
}

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
		pass "$name"
	else
		fail "$name"
		printf '%s\n' "$why" | sed 's/^/        /'
		seed=$(sed -n 's/.*"seed": *\([0-9]*\).*/\1/p' "$json" 2>/dev/null | head -n 1)
		[ -n "$seed" ] && printf '        (seed %s)\n' "$seed"
	fi
	why=""
}

# refuses NAME WANT_RC MESSAGE_PART ARGS...: one clear line on stderr, that exit status.
refuses() {
	name=$1 want=$2 part=$3
	shift 3
	$grader "$@" >"$out/stdout" 2>"$out/stderr"
	rc=$?
	lines=$(wc -l <"$out/stderr")
	if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && grep -q -- "$part" "$out/stderr"; then
		pass "$name"
	else
		fail "$name" "exit $rc (want $want), stderr: $(head -c 300 "$out/stderr")"
	fi
}

# scores_zero NAME SUB STAGE MESSAGE_PART: graded, 0 points, the reason in the report.
scores_zero() {
	name=$1
	$grader --stage "$3" --detectors none "$2" >"$out/stdout" 2>"$out/stderr"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "^Score: 0/" "$out/stdout" && grep -q -- "$4" "$out/stdout"; then
		pass "$name"
	else
		fail "$name" "exit $rc, report:" "$out/stdout"
	fi
}

# explains NAME SUB STAGE PATTERN...: a report (no detectors) with a line matching each pattern
explains() {
	name=$1 sub=$2 stage=$3
	shift 3
	$grader --stage "$stage" --detectors none "$sub" >"$out/stdout" 2>"$out/stderr"
	for pattern in "$@"; do
		if ! grep -q -- "$pattern" "$out/stdout"; then
			fail "$name" "no line matches '$pattern' in the report:" "$out/stdout"
			return
		fi
	done
	pass "$name"
}

# same_in_modes NAME SUB STAGE: the same findings in bubblewrap, where valgrind
# reads libc's debug information without its DWARF (grader/debuginfo.h), and in
# the fallback, where it reads all of it.
same_in_modes() {
	name=$1
	rm -f "$out/bwrap.json" "$out/fallback.json"
	$grader --sandbox bwrap --stage "$3" --seed 1 --format json --out "$out/bwrap.json" \
		"$2" 2>"$out/stderr"
	if [ $? -eq 2 ] && grep -q 'bubblewrap does not work here' "$out/stderr"; then
		printf '  skip  %s: no bubblewrap here\n' "$name"
		return
	fi
	$grader --sandbox fallback --stage "$3" --seed 1 --format json --out "$out/fallback.json" \
		"$2" 2>/dev/null
	if why=$($verdict same "$out/bwrap.json" "$out/fallback.json"); then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}

if [ $# -eq 0 ]; then
	echo "bad input"
	stage=$($grader --list | head -n 1)
	file=$(cd "solutions/$stage" && ls ./*.c | head -n 1 | cut -c3-)
	mkdir -p "$out/none" "$out/empty" "$out/binary" "$out/broken"
	: >"$out/empty/$file"
	printf 'int x;\001\002\003\n' >"$out/binary/$file"
	printf 'int broken(\n' >"$out/broken/$file"
	refuses "a submission that does not exist" 2 "does not exist" "$out/no-such-dir"
	refuses "a submission that is a file" 2 "is not a directory" "$out/binary/$file"
	refuses "an unknown stage" 2 "unknown stage '99-nope'" --stage 99-nope solutions
	refuses "an unknown format" 2 "unknown format" --format xml solutions
	refuses "a seed that is not a number" 2 "whole number" --seed abc solutions
	refuses "two submissions" 2 "one submission" solutions starter
	refuses "a time limit scale that is not a number" 2 "timeout-scale" --timeout-scale x solutions
	scores_zero "the student's file is missing" "$out/none" "$stage" "$file not found in"
	scores_zero "the student's file is empty" "$out/empty" "$stage" "$file is empty"
	scores_zero "the student's file is binary" "$out/binary" "$stage" "not a text file"
	scores_zero "the student's file does not compile" "$out/broken" "$stage" "did not compile"
	# valgrind failing on its own is said to be its doing, and vouches for nothing
	VALGRIND_OPTS=--racecourse-no-such-option $grader --stage 03-race solutions >"$out/stdout" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q 'Helgrind itself failed (it said "valgrind: Unknown option' \
		"$out/stdout" && grep -q 'DRD itself failed' "$out/stdout" &&
		grep -q '✗ no data races, no lock-order violations *0/' "$out/stdout"; then
		pass "valgrind itself fails"
	else
		fail "valgrind itself fails" "exit $rc, report:" "$out/stdout"
	fi
fi

# links_criterion NAME HOW: 03's solution passes every test, its test program linked
# with Criterion's static archives, or with its shared library (HOW = shared),
# as where the archives are missing: a compiler that lists no library directory
# with them in (grader/build.c).
links_criterion() {
	name=$1 how=$2
	wrapper="$out/cc-$how" libs="$out/libs-$how"
	mkdir -p "$libs"
	for lib in libcriterion.so libjansson.so; do
		ln -sf "$(cc -print-file-name="$lib")" "$libs/$lib"
	done
	# shellcheck disable=SC2016
	printf '#!/bin/sh\n[ "$1" = -print-search-dirs ] && [ %s = shared ] && { echo "libraries: =%s"; exit 0; }\nexec cc "$@"\n' \
		"$how" "$libs" >"$wrapper"
	chmod 755 "$wrapper"
	CC=$wrapper $grader --sandbox none --detectors none --keep --stage 03-race solutions \
		>"$out/stdout" 2>"$out/stderr"
	rc=$?
	kept=$(sed -n 's/^racecourse: the scratch directory is //p' "$out/stderr")
	shared=no want=no
	[ "$how" = shared ] && want=yes
	[ -n "$kept" ] && ldd "$kept/03-race/tests.bin" | grep -q 'libcriterion[.]so' && shared=yes
	rm -rf "$kept"
	if [ "$how" = static ] && [ ! -f "$(cc -print-file-name=libcriterion.a)" ]; then
		printf '  skip  %s: no libcriterion.a here\n' "$name"
	elif [ "$rc" -le 1 ] && grep -q '✓ [a-z_]*/' "$out/stdout" &&
	     ! grep -q '✗ [a-z_]*/' "$out/stdout" && [ "$shared" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, Criterion shared: $shared; report:" "$out/stdout"
	fi
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
if [ $# -eq 0 ]; then
	echo "the same findings in bubblewrap and in the fallback"
	for dir in tests/mutants/04-deadlock/lock_from_then_to tests/mutants/06-cache/unlocked_size \
		tests/mutants/03-race/unlocked-balance-read; do
		same_in_modes "$(basename "$dir")" "$dir" "$(basename "$(dirname "$dir")")"
	done
fi
if [ $# -eq 0 ]; then
	echo "where the threads of a stuck or crashed test were"
	explains "a deadlock: each waiter, and who holds its mutex" starter 04-deadlock \
		'waits for a mutex at starter/04-deadlock/bank.c:[0-9]* in bank_transfer()' \
		'that mutex is held by thread [0-9]*, which took it at starter/04-deadlock/bank.c:'
	explains "a crash: the line" tests/grader/fixtures/crash-03 03-race \
		'crashed (SIGSEGV: a bad pointer) at tests/grader/fixtures/crash-03/account.c:[0-9]* in account_deposit()' \
		'>  *[0-9]* | .*[*]p = 1;'
	echo "the test program and Criterion"
	links_criterion "from Criterion's static archives" static
	links_criterion "with Criterion's shared library, where the archives are missing" shared
fi
echo "kit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
