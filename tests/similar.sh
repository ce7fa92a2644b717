#!/bin/sh
# make similar end to end: a made-up class of copies, a renamed and reformatted copy, an independent
# solution and untouched starters; their ranking, the starter ignored, report.html, and bad input.
set -u
cd "$(dirname "$0")/.."

grader=$PWD/grader/racecourse
tmp=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-similar-test.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
subs=$tmp/subs
out=$tmp/out
stage=04-deadlock
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

# percent A B: the pair's percent in similarity.csv (ids here need no quoting)
percent() {
	awk -F, -v a="$1" -v b="$2" '($2 == a && $3 == b) || ($2 == b && $3 == a) { print $4; found = 1 }
		END { if (!found) print "none" }' "$out/similarity.csv"
}
# above X Y: whether the percent X is larger than Y
above() {
	awk -v x="$1" -v y="$2" 'BEGIN { exit !(x + 0 > y + 0) }'
}

# ---- the class: every student's file is the stage's, from the starter on ----
sol=solutions/$stage/bank.c
mkdir -p "$subs/copy-a" "$subs/copy-b" "$subs/renamed" "$subs/independent" "$subs/starter-1" \
	"$subs/starter-2/starter/$stage" "$subs/binary" "$tmp/make/zipped"
cp "$sol" "$subs/copy-a/"
# a copy handed in as a zip of the repository layout, with a comment that is markup
sed 's|^\tbank->n = naccounts;$|\t/* </code></pre><script>alert(1)</script> */\n&|' "$sol" >"$tmp/make/zipped/bank.c"
(cd "$tmp/make" && zip -qr "$subs/zipped.zip" zipped)
cp "$sol" "$subs/copy-b/"
# names changed, comments dropped, two-space indents, braces on lines of their own
sed -e 's/\bsrc\b/from_acct/g; s/\bdst\b/to_acct/g; s/\bfirst\b/lo/g; s/\bsecond\b/hi/g' \
	-e 's/\bok\b/done/g; s/\btotal\b/sum/g; s/\bvalid_id\b/in_range/g; s/\bnaccounts\b/count/g' \
	-e '/^[[:space:]]*\/\*.*\*\/[[:space:]]*$/d' -e 's/^\t\t\t/      /; s/^\t\t/    /; s/^\t/  /' \
	-e 's/) {$/)\n{/' "$sol" >"$subs/renamed/bank.c"
cp tests/grader/fixtures/similar/independent-bank.c "$subs/independent/bank.c"
cp "starter/$stage/bank.c" "$subs/starter-1/"
cp "starter/$stage/bank.c" "$subs/starter-2/starter/$stage/"
printf 'int x;\0\0\0binary\n' >"$subs/binary/bank.c"
# a link out of the submission: its target must not end up in the report
mkdir -p "$subs/linked"
ln -s /etc/passwd "$subs/linked/bank.c"
if cmp -s "$sol" "$subs/renamed/bank.c" || grep -q '\bsrc\b' "$subs/renamed/bank.c"; then
	fail "the renamed copy is renamed"
fi

echo "similar"
started=$(date +%s)
make -s similar SUBS="$subs" A=$stage OUT="$out" DETECTORS=none >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
echo "  (make similar: $(($(date +%s) - started)) s, with Dolos's install when it was not there)"
if [ "$rc" -eq 0 ] && [ -s "$out/similarity.csv" ] && [ -s "$out/gradebook.csv" ]; then
	ok "make similar grades the class and writes similarity.csv"
else
	fail "make similar grades the class and writes similarity.csv" "exit $rc: $(tail -n 12 "$tmp/stderr")"
fi
head=$(head -n 1 "$out/similarity.csv" 2>/dev/null)
if [ "$head" = "stage,student_a,student_b,percent,dolos_similarity,longest" ]; then ok "similarity.csv's columns"; else fail "similarity.csv's columns" "$head"; fi
# 7 of the 9 have a readable file of the stage (binary and linked are left out): 21 pairs
pairs=$(($(wc -l <"$out/similarity.csv") - 1))
if [ "$pairs" -eq 21 ]; then ok "every pair of the 7 readable submissions"; else fail "every pair of the 7 readable submissions" "$pairs pairs"; fi
if grep -q "binary left out of $stage: .*not a text file" "$tmp/stderr" && ! grep -q ',binary,' "$out/similarity.csv"; then
	ok "a file that is not text is left out, named"
else
	fail "a file that is not text is left out, named" "$(cat "$tmp/stderr")"
fi
if grep -q "linked left out of $stage: .*symbolic link" "$tmp/stderr" && ! grep -q ',linked,' "$out/similarity.csv" &&
   ! grep -q 'root:' "$out/similarity.json"; then
	ok "a link is left out, named, its target never read"
else
	fail "a link is left out, named, its target never read" "$(cat "$tmp/stderr")"
fi

# The copies against each other, and the best any pair with the independent student gets.
indep=0
for s in copy-a copy-b zipped renamed starter-1 starter-2; do
	p=$(percent independent $s)
	above "$p" "$indep" && indep=$p
done
for pair in "copy-a copy-b" "copy-a zipped" "copy-b zipped" "copy-a renamed" "copy-b renamed" "zipped renamed"; do
	# shellcheck disable=SC2086
	p=$(percent $pair)
	if above "$p" 90 && above "$p" "$indep"; then
		ok "$pair: $p%, above the independent solution's best ($indep%)"
	else
		fail "$pair: $p%, above the independent solution's best ($indep%)"
	fi
done
if above 25 "$indep"; then ok "the independent solution is not a copy ($indep%)"; else fail "the independent solution is not a copy ($indep%)"; fi
top=$(awk -F, 'NR > 1 && NR <= 7 { print $2 " " $3 }' "$out/similarity.csv" | grep -c 'independent\|starter')
if [ "$top" -eq 0 ]; then ok "the 6 pairs of copies rank first"; else fail "the 6 pairs of copies rank first" "$(head -n 8 "$out/similarity.csv")"; fi
worst=0
for s in copy-a copy-b zipped renamed independent starter-2; do
	p=$(percent starter-1 $s)
	above "$p" "$worst" && worst=$p
done
if above 1 "$worst"; then ok "the starter code never counts: an untouched starter is 0% alike to anyone"; else fail "the starter code never counts" "up to $worst%"; fi

echo "report"
html=$out/report.html
if grep -q '<h2 id="similarity">' "$html" && grep -q '<div class="sbs">' "$html"; then
	ok "report.html: the similarity section, matching parts side by side"
else
	fail "report.html: the similarity section, matching parts side by side"
fi
if grep -q '&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;' "$html" && ! grep -q '<script' "$html"; then
	ok "report.html escapes the students' code"
else
	fail "report.html escapes the students' code" "$(grep -o '.\{40\}alert.\{40\}' "$html" | head -n 3)"
fi
rm -f "$html"
$grader batch-report "$out" >/dev/null 2>&1
if grep -q '<h2 id="similarity">' "$html"; then ok "batch-report keeps the section"; else fail "batch-report keeps the section"; fi
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ]; then
	sed 's/<details class="pair">/<details class="pair" open>/' "$html" >"$tmp/open.html"
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run \
		--user-data-dir="$tmp/chromium" --dump-dom "file://$tmp/open.html" >"$tmp/dom.html" 2>"$tmp/browser.log"
	n=$(grep -c '<div class="sbs">' "$tmp/dom.html")
	if [ "$n" -gt 0 ] && ! grep -q '<script>alert' "$tmp/dom.html"; then
		ok "a browser reads the section: $n matching parts, no student markup"
	else
		fail "a browser reads the section" "$(tail -n 5 "$tmp/browser.log")"
	fi
else
	echo "  skip  a browser reads the section: no chromium here, and grader/install-deps.sh test could not install it"
fi

echo "deadlines"
# Two repositories that had the solution by the deadline and the starter after it: the files
# compared are the ones graded, as of the deadline (100% alike), not today's (0%).
for s in ann bob; do
	repo=$tmp/dated/$s
	mkdir -p "$repo"
	git -C "$repo" init -q
	for step in "$sol 2026-11-30T12:00:00" "starter/$stage/bank.c 2026-12-03T12:00:00"; do
		cp "${step% *}" "$repo/bank.c"
		git -C "$repo" add bank.c
		GIT_COMMITTER_DATE="${step#* } +0000" GIT_AUTHOR_DATE="${step#* } +0000" \
			git -C "$repo" -c user.name=t -c user.email=t@t commit -qm step
	done
done
$grader batch --similar --deadline "2026-12-01 23:59 +0000" --stage $stage --detectors none \
	--out "$tmp/dated-out" "$tmp/dated" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
got=$(awk -F, 'NR == 2 { print $2 " " $3 " " $4 }' "$tmp/dated-out/similarity.csv" 2>/dev/null)
if [ "$rc" -eq 0 ] && [ "$got" = "ann bob 100.0" ]; then
	ok "with --deadline the files compared are those graded, as of the deadline"
else
	fail "with --deadline the files compared are those graded, as of the deadline" "exit $rc, '$got': $(cat "$tmp/stderr")"
fi

echo "bad input"
mkdir -p "$tmp/one/ann"
cp "$sol" "$tmp/one/ann/"
$grader batch --similar --stage $stage --detectors none --out "$tmp/one-out" "$tmp/one" >/dev/null 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "no stage has two submissions to compare" "$tmp/stderr" && [ -s "$tmp/one-out/gradebook.csv" ]; then
	ok "one student: nothing to compare, exit 1, the gradebook still written"
else
	fail "one student: nothing to compare, exit 1, the gradebook still written" "exit $rc: $(cat "$tmp/stderr")"
fi
mkdir -p "$tmp/none"
$grader batch --similar --out "$tmp/none-out" "$tmp/none" >/dev/null 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "no submissions" "$tmp/stderr"; then ok "no students: exit 2"; else fail "no students: exit 2" "exit $rc: $(cat "$tmp/stderr")"; fi
$grader batch --similar --shard 1/2 --out "$tmp/o" "$subs" >/dev/null 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "whole class" "$tmp/stderr"; then ok "--similar with --shard is refused"; else fail "--similar with --shard is refused" "exit $rc: $(cat "$tmp/stderr")"; fi

# No Node, and no way to install it: every command but node, npm and apt-get, and an apt-get that fails.
mkdir -p "$tmp/bin"
for dir in /usr/local/bin /usr/bin /bin; do
	for f in "$dir"/*; do
		case ${f##*/} in node | npm | npx | apt-get | sudo) continue ;; esac
		[ -e "$tmp/bin/${f##*/}" ] || ln -s "$f" "$tmp/bin/${f##*/}"
	done
done
printf '#!/bin/sh\necho "apt-get: no network here" >&2\nexit 100\n' >"$tmp/bin/apt-get"
chmod +x "$tmp/bin/apt-get"
PATH=$tmp/bin $grader batch --similar --stage $stage --detectors none --out "$out" "$subs" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "Dolos is not installed and could not be" "$tmp/stderr" &&
   grep -q "graded 0, skipped 9 unchanged" "$tmp/stdout" && [ ! -e "$out/similarity.csv" ] &&
   ! grep -q 'id="similarity"' "$out/report.html"; then
	ok "no Node.js and no way to install it: a clear message, exit 1, no stale result"
else
	fail "no Node.js and no way to install it: a clear message, exit 1, no stale result" "exit $rc: $(cat "$tmp/stdout" "$tmp/stderr")"
fi

echo "similar: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
