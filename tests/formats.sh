#!/bin/sh
# The report formats that other tools read, on real grading runs: junit valid
# against the JUnit schema with the failures where they belong, tap's plan and
# lines, github's annotations at the student's lines and its job summary.
# Usage: tests/formats.sh   (needs xmllint: make test installs libxml2-utils)
set -u
cd "$(dirname "$0")/.." || exit 1

grader=${GRADER:-grader/racecourse}
xsd=tests/grader/fixtures/junit.xsd
race_free="no data races, no lock-order violations"
out=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-formats.XXXXXX")
trap 'rm -rf "$out"' EXIT
passed=0
failed=0

if ! command -v xmllint >/dev/null 2>&1; then
	echo "formats: no xmllint: install the Debian package 'libxml2-utils' (make test does)" >&2
	exit 1
fi

ok() {
	passed=$((passed + 1))
	printf '  ok    %s\n' "$1"
}

fail() {
	failed=$((failed + 1))
	printf '  FAIL  %s\n' "$1"
}

# check NAME CONDITION...: runs the condition; ok when it succeeds, else what it said.
check() {
	name=$1
	shift
	if why=$("$@" 2>&1); then
		ok "$name"
	else
		fail "$name"
		[ -n "$why" ] && printf '%s\n' "$why" | sed 's/^/        /'
	fi
}

# grade FILE WANT_RC FORMAT STAGE SUBMISSION [OPTIONS...]: the report in $out/FILE.
grade() {
	file=$1 want=$2 format=$3 stage=$4 sub=$5
	shift 5
	$grader --stage "$stage" --format "$format" "$@" "$sub" >"$out/$file" 2>"$out/$file.err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "grading $sub as $format: exit $rc, want $want: $(head -c 300 "$out/$file.err")"
		return 1
	fi
}

# xpath FILE EXPR: the value of an XPath expression (a count, a string).
xpath() {
	xmllint --xpath "$2" "$out/$1" 2>/dev/null
}

# is WANT ACTUAL: equal, or say both.
is() {
	[ "$1" = "$2" ] && return 0
	printf 'want %s, got %s\n' "$1" "$2"
	return 1
}

valid() {
	xmllint --noout --schema "$xsd" "$out/$1" 2>"$out/xmllint.err" && return 0
	head -n 5 "$out/xmllint.err"
	return 1
}

# Each <testsuite>'s counts agree with its testcases.
counts_agree() {
	n=$(xpath "$1" 'count(//testsuite)')
	i=1
	while [ "$i" -le "$n" ]; do
		s="//testsuite[$i]"
		is "$(xpath "$1" "count($s/testcase)")" "$(xpath "$1" "string($s/@tests)")" &&
		is "$(xpath "$1" "count($s/testcase/failure)")" "$(xpath "$1" "string($s/@failures)")" &&
		is "$(xpath "$1" "count($s/testcase/error)")" "$(xpath "$1" "string($s/@errors)")" ||
			return 1
		i=$((i + 1))
	done
}

# plain_report FILE: the text report is there, without colour.
plain_report() {
	grep -q "^Score: [0-9]*/[0-9]*  03-race" "$1" && ! grep -q "$(printf '\033')" "$1"
}

# summary_findings FILE: a job summary lists the findings and the total.
summary_findings() {
	grep -q '^- \*\*data race\*\*' "$1" && grep -q '^\*\*Total: [0-9]*/[0-9]*\*\*$' "$1"
}

# outcome FILE TEST: how TEST ended in a junit report ("failure", "error" or "").
outcome() {
	xpath "$1" "name(//testcase[@name='$2']/*[self::failure or self::error])"
}

echo "junit"
if grade solutions.xml 0 junit 03-race,04-deadlock solutions; then
	check "solutions: valid JUnit XML" valid solutions.xml
	check "solutions: a testsuite per stage" is 2 "$(xpath solutions.xml 'count(/testsuites/testsuite)')"
	check "solutions: no failure, no error" is 0 "$(xpath solutions.xml 'count(//failure | //error)')"
	check "solutions: counts agree" counts_agree solutions.xml
fi
m=tests/mutants/03-race/split-check-act
if grade split.xml 1 junit 03-race "$m"; then
	check "split-check-act: valid JUnit XML" valid split.xml
	check "split-check-act: the failing test has a <failure>" \
		is failure "$(outcome split.xml withdraw/exact_under_contention)"
	check "split-check-act: race-free passes" is "" "$(outcome split.xml "$race_free")"
	check "split-check-act: counts agree" counts_agree split.xml
fi
m=tests/mutants/04-deadlock/lock_from_then_to
if grade deadlock.xml 1 junit 04-deadlock "$m"; then
	check "lock_from_then_to: valid JUnit XML" valid deadlock.xml
	check "lock_from_then_to: the deadlocking test did not pass" \
		[ -n "$(outcome deadlock.xml concurrent/opposite_transfers)" ]
	check "lock_from_then_to: the lock-order finding in the race-free <failure>" \
		is 1 "$(xpath deadlock.xml "count(//testcase[@name='$race_free']/failure[contains(., 'lock order violated') and contains(., '$m/bank.c:')])")"
	check "lock_from_then_to: counts agree" counts_agree deadlock.xml
fi
# What a student's file can hold and XML cannot: a vertical tab, bytes that are not UTF-8.
mkdir -p "$out/hostile"
printf '/* \377\376 <&>"]]> \013\014 caf\303\251 */\nint broken(\013 "\303\050 <&>\n' >"$out/hostile/account.c"
if grade hostile.xml 1 junit 03-race "$out/hostile" --detectors none; then
	check "did not compile: valid JUnit XML, compiler output and all" valid hostile.xml
	check "did not compile: every item a <failure>" \
		is "$(xpath hostile.xml 'count(//testcase)')" "$(xpath hostile.xml 'count(//testcase/failure)')"
	check "did not compile: the compiler's words in <system-out>" \
		is 1 "$(xpath hostile.xml "count(//testsuite/system-out[contains(., 'int broken(')])")"
fi

echo "tap"
# The same mutant as above, so the number of graded items is known from junit.
items=$(xpath split.xml 'count(//testcase)')
if grade split.tap 1 tap 03-race tests/mutants/03-race/split-check-act --detectors none; then
	check "split-check-act: TAP version 13 first" is "TAP version 13" "$(head -n 1 "$out/split.tap")"
	check "split-check-act: the plan counts every graded item" is "1..$items" "$(sed -n 2p "$out/split.tap")"
	check "split-check-act: a line per item, numbered in order" is "$items" "$(awk '
		/^(not )?ok [0-9]+ - / { n++; if ($0 !~ ("^(not )?ok " n " - ")) bad = 1 }
		END { print bad ? "misnumbered" : n + 0 }' "$out/split.tap")"
	check "split-check-act: the failing test is not ok, with a YAML block" \
		is 3 "$(grep -A 2 '^not ok [0-9]* - 03-race: withdraw/exact_under_contention$' "$out/split.tap" |
			grep -c -e '^not ok' -e '^  ---$' -e '^  message: ".')"
	check "split-check-act: every not ok has its block" is \
		"$(grep -c '^not ok ' "$out/split.tap")" "$(grep -c '^  \.\.\.$' "$out/split.tap")"
fi

echo "github"
m=tests/mutants/03-race/unlocked-balance-read
summary="$out/summary.md"
echo "an earlier step's summary" >"$summary"
line=$(grep -n 'return acct->balance;' "$m/account.c" | cut -d: -f1)
if GITHUB_STEP_SUMMARY=$summary grade github.log 1 github 03-race "$m"; then
	check "unlocked-balance-read: an annotation at the unlocked read" \
		grep -q "^::error file=$m/account.c,line=$line,title=03-race%3A data race::" "$out/github.log"
	check "unlocked-balance-read: every file annotation in the student's file" is 0 \
		"$(grep '^::error file=' "$out/github.log" | grep -c -v "^::error file=$m/account.c,line=[0-9]*,")"
	check "unlocked-balance-read: the race-free item's annotation, escaped" \
		grep -q "^::error title=03-race%3A no data races%2C no lock-order violations::" "$out/github.log"
	check "unlocked-balance-read: then the text report, without colour" plain_report "$out/github.log"
	check "unlocked-balance-read: the summary appended" \
		is "an earlier step's summary" "$(head -n 1 "$summary")"
	check "unlocked-balance-read: the summary's table" \
		grep -q "^| $race_free | ❌ failed | 0/[0-9]* |$" "$summary"
	check "unlocked-balance-read: the summary's findings and total" summary_findings "$summary"
fi
if grade hostile.log 1 github 03-race "$out/hostile" --detectors none; then
	check "did not compile: one annotation, not one per test" is 1 "$(grep -c '^::error ' "$out/hostile.log")"
fi

echo "formats: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
