#!/bin/sh
# racecourse batch --deadline end to end: repositories made here with commits
# at set dates, graded as they were at each student's deadline, late days
# counted and charged, extensions, the server's push times, and what has
# nothing to grade by then.
set -u
cd "$(dirname "$0")/.."

grader=$PWD/grader/racecourse
tmp=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-deadlines.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
subs=$tmp/subs
stage=03-race
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	printf '  ok    %s\n' "$1"
}
fail() {
	failed=$((failed + 1))
	printf '  FAIL  %s\n' "$1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 15 | sed 's/^/        /'
}
expect() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi
}
# cell CSV ID COLUMN (the gradebook's ids here need no quoting)
cell() {
	awk -F, -v id="$2" -v col="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		$1 == id { print $c; found = 1 } END { if (!found) print "(no row)" }' "$1"
}

# repo ID: a repository for student ID
repo() {
	mkdir -p "$subs/$1"
	git -C "$subs/$1" init -q
	git -C "$subs/$1" config user.name "Student $1"
	git -C "$subs/$1" config user.email "$1@example.edu"
}
# commit ID WHAT DATE: the stage's file from starter/ or solutions/, committed at DATE (UTC)
commit() {
	mkdir -p "$subs/$1/$stage"
	cp "$2/$stage/account.c" "$subs/$1/$stage/account.c"
	git -C "$subs/$1" add -A
	GIT_AUTHOR_DATE="$3 +0000" GIT_COMMITTER_DATE="$3 +0000" git -C "$subs/$1" commit -qm "$2 at $3"
	git -C "$subs/$1" rev-parse HEAD
}

deadline="2026-12-01 23:59 +0000"
repo ontime
commit ontime starter "2026-11-28 10:00" >/dev/null
ontime=$(commit ontime solutions "2026-11-30 12:00")
repo late
commit late starter "2026-11-28 10:00" >/dev/null
late=$(commit late solutions "2026-12-03 10:00")	# 34 h late: 2 days
repo toolate
toolate=$(commit toolate starter "2026-11-28 10:00")
commit toolate solutions "2026-12-10 09:00" >/dev/null	# past the late days
repo extended
extended=$(commit extended solutions "2026-12-04 18:00")	# an extension to the 5th
repo nothing
commit nothing solutions "2026-12-20 09:00" >/dev/null
mkdir -p "$subs/plain/$stage"
cp "solutions/$stage/account.c" "$subs/plain/$stage/"
printf 'id,deadline\nextended,2026-12-05 23:59 +0000\n' >"$tmp/extensions.csv"

echo "deadlines"
$grader batch --stage "$stage" --out "$tmp/out" --deadline "$deadline" \
	--extensions "$tmp/extensions.csv" --late-days 3 --late-penalty 10 "$subs" \
	>"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
gb=$tmp/out/gradebook.csv
expect "batch exits 0: nothing to grade by the deadline is the student's, not an error" 0 "$rc"
if grep -q "with nothing to grade by the deadline" "$tmp/stdout"; then ok "the summary counts them"; else fail "the summary counts them" "$(cat "$tmp/stdout" "$tmp/stderr")"; fi
expect "the gradebook has the late columns" "id,$stage,total,max,late_days,penalty,final,flags" "$(head -n 1 "$gb")"
commit_of() { sed -n 's/.*"commit": *"\([0-9a-f]*\)".*/\1/p' "$tmp/out/students/$1/batch.json"; }
expect "on time: the last commit before the deadline is graded" "$ontime" "$(commit_of ontime)"
full=$(cell "$gb" ontime max)
late_final=$(awk -v m="$full" 'BEGIN { printf "%g", m * 0.8 }')
expect "on time: full marks, no late day" "$full 0 0 $full" \
	"$(cell "$gb" ontime total) $(cell "$gb" ontime late_days) $(cell "$gb" ontime penalty) $(cell "$gb" ontime final)"
expect "late: the commit within the late days is graded" "$late" "$(commit_of late)"
expect "late: 34 hours late is 2 days, 20% off full marks" "$full 2 20 $late_final" \
	"$(cell "$gb" late total) $(cell "$gb" late late_days) $(cell "$gb" late penalty) $(cell "$gb" late final)"
expect "too late: the commit past the late days is not graded, the last one before is" "$toolate" "$(commit_of toolate)"
if [ "$(cell "$gb" toolate total)" -lt "$full" ] && [ "$(cell "$gb" toolate late_days)" = 0 ]; then
	ok "too late: the starter's score, on time"
else
	fail "too late: the starter's score, on time" "$(grep toolate "$gb")"
fi
expect "an extension: graded as on time by the student's own deadline" "$extended $full 0" \
	"$(commit_of extended) $(cell "$gb" extended total) $(cell "$gb" extended late_days)"
if grep -q 'no commit by 2026-12-04 23:59:00 +0000 (the deadline and the late days)' "$tmp/out/students/nothing/batch.json" &&
   [ "$(cell "$gb" nothing total)" = 0 ] && cell "$gb" nothing flags | grep -q missing; then
	ok "no commit by the deadline: 0, flagged missing, the reason kept"
else
	fail "no commit by the deadline: 0, flagged missing, the reason kept" "$(cat "$tmp/out/students/nothing/batch.json")"
fi
if grep -q 'not a git repository' "$tmp/out/students/plain/batch.json"; then
	ok "a folder that is no repository: not graded, and why"
else
	fail "a folder that is no repository: not graded, and why" "$(cat "$tmp/out/students/plain/batch.json")"
fi
if grep -q '<th class="n">late days</th>' "$tmp/out/report.html" && grep -q "<td class=\"n\">$late_final</td>" "$tmp/out/report.html"; then
	ok "report.html shows late days, penalty and the final score"
else
	fail "report.html shows late days, penalty and the final score"
fi

# Again: nothing changed, nothing graded; a commit after the late days changes nothing.
commit ontime starter "2026-12-09 08:00" >/dev/null
$grader batch --stage "$stage" --out "$tmp/out" --deadline "$deadline" \
	--extensions "$tmp/extensions.csv" --late-days 3 --late-penalty 10 "$subs" >"$tmp/stdout" 2>"$tmp/stderr"
if grep -q "^graded 0, skipped 6 unchanged" "$tmp/stdout"; then
	ok "run again: unchanged results are kept"
else
	fail "run again: unchanged results are kept" "$(cat "$tmp/stdout")"
fi

# The server's push times instead of the commits' own (which a student sets).
rm -rf "$subs"
repo forged
forged=$(commit forged solutions "2026-11-30 12:00")	# dated before the deadline...
printf 'id,commit,pushed_at\nforged,%s,2026-12-02 12:00 +0000\n' "$forged" >"$tmp/pushes.csv"	# ...pushed after
$grader batch --stage "$stage" --detectors none --out "$tmp/pushed" --deadline "$deadline" \
	--late-days 3 --late-penalty 10 --pushes "$tmp/pushes.csv" "$subs" >"$tmp/stdout" 2>"$tmp/stderr"
expect "pushes: the push's time counts, not the commit's: 1 late day" "1 10" \
	"$(cell "$tmp/pushed/gradebook.csv" forged late_days) $(cell "$tmp/pushed/gradebook.csv" forged penalty)"

# Refusals: each a clear message, exit 2.
refuses() { # NAME MESSAGE ARGS...
	name=$1 part=$2
	shift 2
	$grader batch --stage "$stage" --out "$tmp/x" "$@" "$subs" >/dev/null 2>"$tmp/stderr"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q -- "$part" "$tmp/stderr"; then ok "$name"; else fail "$name" "exit $rc: $(cat "$tmp/stderr")"; fi
}
refuses "a deadline that is not a time" 'takes a time like' --deadline "Friday"
refuses "late days without a deadline" 'go with --deadline' --late-days 2
printf 'id,when\n' >"$tmp/bad.csv"
refuses "extensions with the wrong header" 'first line must be id,deadline' --deadline "$deadline" --extensions "$tmp/bad.csv"
printf 'id,deadline\nann,soon\n' >"$tmp/bad.csv"
refuses "an extension that is not a time" "line 2: 'soon' is not a time" --deadline "$deadline" --extensions "$tmp/bad.csv"
printf 'id,commit,pushed_at\nann,HEAD,2026-12-01 10:00\n' >"$tmp/bad.csv"
refuses "a push that names no commit" "'HEAD' is not a commit" --deadline "$deadline" --pushes "$tmp/bad.csv"

echo "deadlines: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
