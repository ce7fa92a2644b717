#!/bin/sh
# racecourse batch end to end: a made-up class (folders, archives, broken and
# unsafe archives), its gradebook and flags, resuming, --force, shards merged,
# the HTML report (in a headless browser when chromium is installed).
set -u
cd "$(dirname "$0")/.."

grader=$PWD/grader/racecourse
tmp=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-batch-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
subs=$tmp/subs
out=$tmp/out
stages=03-race,02-counter
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
# expect NAME WANT GOT
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi
}

# field CSV ID COLUMN: one cell of a gradebook. Its quoting is the grader's
# own (RFC 4180, no line breaks in ids here), so a small parser reads it.
field() {
	awk -v id="$2" -v col="$3" '
	function csv(line, out,    n, i, c, f, q) {
		n = 0; f = ""; q = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (q && c == "\"" && substr(line, i + 1, 1) == "\"") { f = f c; i++ }
			else if (c == "\"") q = !q
			else if (!q && c == ",") { out[++n] = f; f = "" }
			else f = f c
		}
		out[++n] = f
		return n
	}
	NR == 1 { n = csv($0, head); for (i = 1; i <= n; i++) if (head[i] == col) want = i; next }
	{ csv($0, row); if (row[1] == id) { print row[want]; found = 1 } }
	END { if (!found) print "(no row)" }' "$1"
}

# ---- the class ----
mkdir -p "$subs" "$tmp/make"
cp -r solutions "$subs/sol-dir"
mkdir -p "$subs/starter-repo"
cp -r starter "$subs/starter-repo/starter"
mkdir -p "$subs/race" "$subs/stuck" "$subs/o'neil, \"pat\"" "$subs/empty"
cp tests/mutants/03-race/unlocked-balance-read/account.c "$subs/race/"
cp tests/mutants/03-race/early-return-keeps-lock/account.c "$subs/stuck/"
printf 'int broken(\n' >"$subs/o'neil, \"pat\"/account.c"
# A zip of one folder (a repository's download), a tarball of a loose stage folder.
mkdir -p "$tmp/make/zipped-main"
cp -r solutions/03-race "$tmp/make/zipped-main/"
(cd "$tmp/make" && zip -qr "$subs/zipped.zip" zipped-main)
tar -C solutions -czf "$subs/tarred.tar.gz" 02-counter
# Broken and unsafe archives: none may stop the batch, none is extracted.
printf 'not a zip\n' >"$subs/broken.zip"
head -c 100 "$subs/tarred.tar.gz" >"$subs/cut.tgz"
tar -C solutions/03-race -czf "$subs/slip.tar.gz" --transform 's,^,../,' account.c
mkdir -p "$tmp/make/a/b"
cp solutions/03-race/account.c "$tmp/make/a/account.c"
(cd "$tmp/make/a/b" && zip -q "$subs/slipzip.zip" ../account.c)
ln -s /etc/passwd "$tmp/make/link.c"
(cd "$tmp/make" && zip -qy "$subs/link.zip" link.c)
printf 'a roster, not a submission\n' >"$subs/roster.txt"
nsubs=13

echo "batch"
$grader batch --stage "$stages" --out "$out" "$subs" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
csv=$out/gradebook.csv
expect "the batch grades the class (exit 0)" 0 "$rc"
[ "$rc" -eq 0 ] || sed 's/^/        /' "$tmp/stderr" | tail -n 20
expect "a row per submission" $((nsubs + 1)) "$(wc -l <"$csv" | tr -d ' ')"
expect "columns: id, each stage, total, max, flags" "id,02-counter,03-race,total,max,flags" "$(head -n 1 "$csv")"
if grep -q "ignoring .*roster.txt" "$tmp/stderr"; then ok "a stray file is named and passed over"; else fail "a stray file is named and passed over"; fi
# The kit's points may change: what a solution scores is full marks.
max=$(field "$csv" sol-dir max)
full_race=$(field "$csv" sol-dir 03-race)
full_counter=$(field "$csv" sol-dir 02-counter)
expect "solutions: full marks" "$max " "$(field "$csv" sol-dir total) $(field "$csv" sol-dir flags)"
expect "the starter (a repository's layout): its race" "race" "$(field "$csv" starter-repo flags)"
expect "a racy mutant, one stage only" "race missing" "$(field "$csv" race flags)"
case $(field "$csv" stuck flags) in
*deadlock*) ok "a mutant that blocks forever: deadlock" ;;
*) fail "a mutant that blocks forever: deadlock" "flags: $(field "$csv" stuck flags)" ;;
esac
expect "code that does not compile" "0 compile-error missing" \
	"$(field "$csv" "o'neil, \"pat\"" total) $(field "$csv" "o'neil, \"pat\"" flags)"
if grep -q '^"o'"'"'neil, ""pat""",' "$csv"; then ok "an id with a comma and quotes is quoted"; else fail "an id with a comma and quotes is quoted" "$(cat "$csv")"; fi
expect "an empty folder" "0 missing" "$(field "$csv" empty total) $(field "$csv" empty flags)"
expect "a .zip of one folder" "$full_race missing" "$(field "$csv" zipped 03-race) $(field "$csv" zipped flags)"
expect "a .tar.gz" "$full_counter missing" "$(field "$csv" tarred 02-counter) $(field "$csv" tarred flags)"
for id in broken cut slip slipzip link; do
	expect "archive $id: broken, 0 of $max" "0 $max broken-archive" \
		"$(field "$csv" $id total) $(field "$csv" $id max) $(field "$csv" $id flags)"
done
if grep -q "outside its folder" "$out/students/slip/report.txt" &&
   grep -q "outside its folder" "$out/students/slipzip/report.txt" &&
   grep -q "link" "$out/students/link/report.txt"; then
	ok "unsafe archives say why"
else
	fail "unsafe archives say why" "$(cat "$out/students/slip/report.txt" "$out/students/link/report.txt")"
fi
missing=""
for id in sol-dir starter-repo race stuck zipped tarred empty; do
	[ -s "$out/students/$id/results.json" ] && [ -s "$out/students/$id/report.txt" ] || missing="$missing $id"
done
expect "results.json and report.txt per graded student" "" "$missing"
if [ ! -e "$out/students/broken/results.json" ] && [ -s "$out/students/broken/report.txt" ]; then
	ok "a broken archive: report.txt only"
else
	fail "a broken archive: report.txt only"
fi
if grep -q "^Score: $max/$max" "$out/students/sol-dir/report.txt" &&
   grep -q "account.c:[0-9]* in account_balance()" "$out/students/race/report.txt"; then
	ok "report.txt: the score and the finding's line"
else
	fail "report.txt: the score and the finding's line" "$(cat "$out/students/race/report.txt")"
fi
# The grader's own text report, as make grade prints it, under the batch's line.
if head -n 1 "$out/students/stuck/report.txt" | grep -q "^stuck: [0-9]*/$max" &&
   grep -q "^Racecourse: grading" "$out/students/stuck/report.txt" &&
   grep -q "^  ✗ " "$out/students/stuck/report.txt"; then
	ok "report.txt: the grader's own text report, its failed items"
else
	fail "report.txt: the grader's own text report, its failed items" "$(cat "$out/students/stuck/report.txt")"
fi

echo "resuming"
cp "$csv" "$tmp/first.csv"
$grader batch --stage "$stages" --out "$out" "$subs" >"$tmp/stdout" 2>"$tmp/stderr"
expect "a second run grades nothing" "graded 0, skipped $nsubs unchanged" "$(head -n 1 "$tmp/stdout" | sed 's/ (.*//')"
if cmp -s "$csv" "$tmp/first.csv"; then ok "... and writes the same gradebook"; else fail "... and writes the same gradebook"; fi
cp -r "$out" "$tmp/forced"
$grader batch --stage "$stages" --out "$tmp/forced" --shard 2/5 --force "$subs" >"$tmp/stdout" 2>"$tmp/stderr"
rows=$(($(wc -l <"$tmp/forced/gradebook.csv") - 1))
case $(head -n 1 "$tmp/stdout") in
"graded "*", skipped 0 unchanged"*) ok "--force grades again ($rows of a shard)" ;;
*) fail "--force grades again" "$(cat "$tmp/stdout" "$tmp/stderr")" ;;
esac

echo "shards"
for i in 1 2; do
	mkdir -p "$tmp/shard$i"
	cp -r "$out/students" "$tmp/shard$i/"
	$grader batch --stage "$stages" --out "$tmp/shard$i" --shard $i/2 "$subs" >"$tmp/stdout$i" 2>&1
done
n1=$(($(wc -l <"$tmp/shard1/gradebook.csv") - 1))
n2=$(($(wc -l <"$tmp/shard2/gradebook.csv") - 1))
expect "two shards split the class" "$nsubs 7 6" "$((n1 + n2)) $n1 $n2"
both=$(tail -n +2 "$tmp/shard1/gradebook.csv" | cut -d, -f1 | grep -Fx -f - "$tmp/shard2/gradebook.csv" | wc -l)
expect "... with no student in both" 0 "$(echo $both)"
$grader batch-merge "$tmp/shard1" "$tmp/shard2" --out "$tmp/merged" >"$tmp/stdout" 2>&1
if cmp -s "$tmp/merged/gradebook.csv" "$csv"; then
	ok "merged shards make the whole class's gradebook"
else
	fail "merged shards make the whole class's gradebook" "$(diff "$csv" "$tmp/merged/gradebook.csv")"
fi
if [ -s "$tmp/merged/students/sol-dir/results.json" ]; then ok "... with the students' folders"; else fail "... with the students' folders"; fi
$grader batch-merge "$tmp/shard1" "$out" --out "$tmp/twice" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "is in both" "$tmp/stderr"; then ok "a student in two batches is refused"; else fail "a student in two batches is refused" "$(cat "$tmp/stderr")"; fi

echo "refusals"
mkdir -p "$tmp/dup/ann"
cp "$subs/zipped.zip" "$tmp/dup/ann.zip"
$grader batch --out "$tmp/o" "$tmp/dup" >/dev/null 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "two submissions for the student 'ann'" "$tmp/stderr"; then ok "two submissions of one student"; else fail "two submissions of one student" "$(cat "$tmp/stderr")"; fi
$grader batch --out "$tmp/o" "$tmp/no-such-dir" >/dev/null 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "does not exist" "$tmp/stderr"; then ok "a folder that does not exist"; else fail "a folder that does not exist" "$(cat "$tmp/stderr")"; fi
$grader batch --shard 3/2 "$subs" >/dev/null 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "shard" "$tmp/stderr"; then ok "a shard that does not exist"; else fail "a shard that does not exist" "$(cat "$tmp/stderr")"; fi

echo "time limit"
mkdir -p "$tmp/slow"
cp -r "$subs/stuck" "$tmp/slow/stuck"
$grader batch --stage 03-race --time-limit 3 --out "$tmp/slow-out" "$tmp/slow" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
case "$rc $(field "$tmp/slow-out/gradebook.csv" stuck flags)" in
"0 "*timeout*) ok "a submission that hangs ends at its limit, flagged" ;;
*) fail "a submission that hangs ends at its limit, flagged" "$rc: $(cat "$tmp/stdout" "$tmp/stderr")" ;;
esac

echo "interrupted"
# The processes whose command line or working folder is in $tmp/int (in
# bubblewrap or not), of those pgrep ARGS... finds (default: all).
in_int() {
	[ $# -gt 0 ] || set -- .
	for p in $(pgrep "$@"); do
		case "$(readlink "/proc/$p/cwd" 2>/dev/null) $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")" in
		*"$tmp/int"*) echo "$p" ;;
		esac
	done
}
# Whether the test runner runs, or with $wait_for, whether a file of that
# name is in $tmp/int.
started() {
	if [ -n "${wait_for:-}" ]; then
		[ -n "$(find "$tmp/int" -name "$wait_for" 2>/dev/null)" ]
	else
		[ -n "$(in_int -f 'tests.bin --output')" ]
	fi
}
# interrupt NAME SIGNAL COMMAND...: runs COMMAND (its scratch folders and
# output under $tmp/int) until the submission's tests run, then sends SIGNAL
# to it alone, not to its group: everything it started must end with it,
# and it exits 130.  Waits for the test runner to start with a time limit
# as the failure signal: the signal must come while there is something to end.
interrupt() {
	name=$1 sig=$2
	shift 2
	rm -rf "$tmp/int"
	mkdir -p "$tmp/int"
	# The sandbox's user passes through to its scratch folder.
	chmod 711 "$tmp" "$tmp/int"
	TMPDIR=$tmp/int "$@" >"$tmp/stdout" 2>"$tmp/stderr" &
	pid=$!
	i=0
	while ! started && [ "$i" -lt 600 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
	if ! started; then
		in_int | xargs -r kill -KILL
		wait "$pid"
		fail "$name" "the tests never started: $(tail -n 5 "$tmp/stderr")"
		return
	fi
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	left=$(in_int | xargs -r ps -o pid=,args= -p | cut -c 1-200)
	if [ "$rc" -eq 130 ] && [ -z "$left" ]; then
		ok "$name"
	else
		fail "$name" "exit $rc; still running: $left"
		in_int | xargs -r kill -KILL
	fi
}
# kept NAME: the batch said it stopped before its one submission was graded.
kept() {
	if grep -q "interrupted: the 0 results written are kept" "$tmp/stderr"; then
		ok "$1"
	else
		fail "$1" "$(cat "$tmp/stderr")"
	fi
}
interrupt "Ctrl-C during a batch ends its workers and all they started" INT \
	$grader batch --stage 03-race --out "$tmp/int/out" "$tmp/slow"
kept "... at once, and says what it kept"
interrupt "SIGTERM to a batch alone ends its workers and all they started" TERM \
	$grader batch --stage 03-race --out "$tmp/int/out" "$tmp/slow"
kept "... at once"
interrupt "Ctrl-C during a grading ends all it started" INT \
	$grader --stage 03-race "$tmp/slow/stuck"
# Without bubblewrap's --die-with-parent nor a cgroup, only the grader itself
# ends them: a test's process that ignores SIGTERM and forks a child in its
# own group, once the flag it makes says it did (its runner's orphan).
mkdir -p "$tmp/hostile/ignore-sigterm"
cp tests/hostile/ignore-sigterm/account.c "$tmp/hostile/ignore-sigterm/"
wait_for=hostile.flag interrupt "... also with no sandbox, its runner's orphans too" INT \
	$grader --sandbox none --admit-any-call --stage 03-race "$tmp/hostile/ignore-sigterm"

echo "report"
html=$out/report.html
if [ -s "$html" ] && grep -q "<h3>03-race</h3>" "$html" && grep -q "<h3>02-counter</h3>" "$html" &&
   grep -q "<svg" "$html"; then
	ok "report.html: a histogram per stage"
else
	fail "report.html: a histogram per stage"
fi
if grep -q "o&#39;neil, &quot;pat&quot;" "$html" && ! grep -q "o'neil" "$html"; then ok "report.html escapes what it shows"; else fail "report.html escapes what it shows"; fi
if grep -q "account.c:[0-9]*</code> in <code>account_balance()" "$html"; then ok "report.html: findings by file:line"; else fail "report.html: findings by file:line"; fi
fetches=$(grep -Eo '<(script|link|img|iframe)|src=|url\(|@import|href="[a-z]+:' "$html" | head -n 3)
expect "report.html is self-contained: no script, nothing fetched" "" "$fetches"
rm -f "$html"
$grader batch-report "$out" >/dev/null 2>"$tmp/stderr"
if [ -s "$html" ]; then ok "batch-report writes it again"; else fail "batch-report writes it again" "$(cat "$tmp/stderr")"; fi
# ---- the gradebook for a learning platform ----
printf 'id,lms_id,name,sis_id,section\nsol-dir,1001,"Dir, Sol",S-1,A\nrace,1002,Race,S-2,B\n' >"$tmp/map.csv"
$grader batch-export "$out" --lms canvas --map "$tmp/map.csv" --out "$tmp/canvas.csv" >/dev/null 2>"$tmp/stderr"
rc=$?
expect "batch-export: exit 1 when students are not mapped" 1 "$rc"
if grep -q "are not in $tmp/map.csv, so not exported: .*starter-repo" "$tmp/stderr"; then
	ok "batch-export names the students left out"
else
	fail "batch-export names the students left out" "$(cat "$tmp/stderr")"
fi
expect "canvas: a row per mapped student, under the header and Points Possible" 4 "$(wc -l <"$tmp/canvas.csv")"
race_total=$(field "$out/gradebook.csv" race total)
canvas_race=$(tr -d '\r' <"$tmp/canvas.csv" | awk -F, '$1 == "Race" && $2 == "1002" { print $NF }')
expect "canvas: the total is the gradebook's" "$race_total" "$canvas_race"
printf 'id,lms_id\n' >"$tmp/map.csv"
$grader batch-export "$out" --lms blackboard --map "$tmp/map.csv" >/dev/null 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "the platforms are canvas and moodle" "$tmp/stderr"; then
	ok "batch-export: an unknown platform is refused, naming the known ones"
else
	fail "batch-export: an unknown platform is refused, naming the known ones" "exit $rc: $(cat "$tmp/stderr")"
fi

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ]; then
	png=$tmp/report.png
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run \
		--user-data-dir="$tmp/chromium" --screenshot="$png" --window-size=1200,1600 \
		"file://$html" >"$tmp/browser.log" 2>&1
	size=$(wc -c <"$png" 2>/dev/null || echo 0)
	if [ "$size" -gt 20000 ]; then ok "a browser renders report.html ($size bytes of PNG)"; else fail "a browser renders report.html" "$(tail -n 5 "$tmp/browser.log")"; fi
else
	echo "  skip  a browser renders report.html: no chromium here, and grader/install-deps.sh test could not install it"
fi

echo "batch: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
