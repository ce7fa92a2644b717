#!/bin/sh
# The self-study commands end to end, on a copy of the kit: racecourse hint,
# racecourse status before and after grading a stage, and grader/watch.sh
# (with inotifywait and real grading, then polling with a stand-in for make).
# Usage: tests/self_study.sh
set -u
cd "$(dirname "$0")/.." || exit 1

if ! command -v inotifywait >/dev/null 2>&1; then
	echo "self-study: inotifywait is missing: install the Debian package inotify-tools" >&2
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-self-study.XXXXXX") || exit 1
watch_pid=""
cleanup() {
	[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
passed=0
failed=0

# check NAME FILE PATTERN...: FILE has a line matching each PATTERN (grep -E).
check() {
	what=$1 in=$2
	shift 2
	for pattern in "$@"; do
		if ! grep -q -E -- "$pattern" "$in"; then
			failed=$((failed + 1))
			printf '  FAIL  %s: no line matches /%s/ in:\n' "$what" "$pattern"
			sed 's/^/        /' "$in" | head -n 30
			return
		fi
	done
	passed=$((passed + 1))
	printf '  ok    %s\n' "$what"
}

# lacks NAME FILE PATTERN: no line of FILE matches PATTERN.
lacks() {
	if grep -q -E -- "$3" "$2"; then
		failed=$((failed + 1))
		printf '  FAIL  %s: a line matches /%s/:\n' "$1" "$3"
		grep -E -- "$3" "$2" | sed 's/^/        /'
	else
		passed=$((passed + 1))
		printf '  ok    %s\n' "$1"
	fi
}

# wait_for FILE PATTERN: until a line of FILE matches, woken by its writes; at most 120 s.
wait_for() {
	timeout 120 sh -c 'until grep -q -E -- "$2" "$1"; do inotifywait -qq -t 5 -e modify "$1" || true; done' \
		_ "$1" "$2"
}

# stop_watch: ends the watch started last, and waits (bounded) until it has.
stop_watch() {
	kill "$watch_pid" 2>/dev/null
	timeout 30 tail --pid="$watch_pid" -f /dev/null || echo "  (the watch did not end)"
	watch_pid=""
}

# The copy: its grader finds its kit (and so .racecourse/) by its own path.
kit=$tmp/kit
mkdir "$kit" &&
	tar -cf - --exclude=./.git --exclude=./.racecourse . | tar -C "$kit" -xf - || exit 1
rc=$kit/grader/racecourse
first=$($rc --list | sed -n 1p)
second=$($rc --list | sed -n 2p)
file=$(cd "$kit/starter/$first" && ls ./*.c | sed -n 1p | cut -c3-)

echo "hint"
$rc hint >"$tmp/out" 2>&1
check "the first hint of the first stage" "$tmp/out" "^$first, hint 1 of [0-9]+$" "make hint A=$first shows hint 2"
$rc hint >"$tmp/out" 2>&1
check "then the second" "$tmp/out" "^$first, hint 2 of [0-9]+$"
$rc hint -n 1 >"$tmp/out" 2>&1
check "-n 1 shows the first again" "$tmp/out" "^$first, hint 1 of [0-9]+$"
check "the progress file remembers two" "$kit/.racecourse/progress" "^$first hints=2$"
$rc hint --stage "$second" -n 7 >"$tmp/out" 2>&1
check "a hint past the last is refused" "$tmp/out" "^racecourse: $second has [0-9]+ hints: -n takes 1 to [0-9]+, not 7$"

echo "status"
$rc status >"$tmp/out" 2>&1
check "before grading" "$tmp/out" "^  → $first .*not graded yet  hints: 2 of [0-9]+ seen$" \
	"^    $second .*not graded yet$" "^Nothing graded yet: run make grade"
# What make grade will save (--save): the JSON report of the stage alone.
$rc --stage "$first" --detectors none --format json --out "$kit/.racecourse/last-$first.json" \
	"$kit/solutions" >"$tmp/grade.out" 2>&1
$rc status >"$tmp/out" 2>&1
check "after grading the first stage at full marks" "$tmp/out" \
	"^  ✓ $first .* ([0-9]+)/\\1 " "^  → $second .*not graded yet" "^Next: $second\\."
lacks "the others are still to do" "$tmp/out" "✓ $second"
$rc hint >"$tmp/out" 2>&1
check "hint moves on to the next stage" "$tmp/out" "^$second, hint 1 of [0-9]+$"

echo "watch"
mkdir "$tmp/scratch"
TMPDIR=$tmp/scratch sh "$kit/grader/watch.sh" DETECTORS=none >"$tmp/watch.log" 2>&1 &
watch_pid=$!
wait_for "$tmp/watch.log" "and that stage is graded"
children=$(pgrep -P "$watch_pid")
touch "$kit/starter/$first/$file"
wait_for "$tmp/watch.log" "^Score: "
check "saving a file grades its stage" "$tmp/watch.log" "^racecourse watch: $first changed at" \
	"^Score: [0-9]+/[0-9]+  $first" "^racecourse watch: waiting for you to save"
stop_watch
lacks "and only that stage, once" "$tmp/watch.log" "changed at.*changed at|$second changed"
gone=yes
for pid in $children; do
	timeout 30 tail --pid="$pid" -f /dev/null || gone=no
done
if [ -z "$children" ] || [ "$gone" = no ] || [ -n "$(ls -A "$tmp/scratch")" ]; then
	failed=$((failed + 1))
	echo "  FAIL  ending the watch: watcher '$children' still running, or left in its scratch: $(ls -A "$tmp/scratch")"
else
	passed=$((passed + 1))
	echo "  ok    ending the watch ends its watcher and removes its scratch folder"
fi

# Polling, with a make that only says what it was asked.
cat >"$tmp/make" <<'EOF'
#!/bin/sh
echo "make $*"
echo "Score: 1/2  fake"
EOF
chmod +x "$tmp/make"
MAKE=$tmp/make WATCH_POLL=1 sh "$kit/grader/watch.sh" FAST=1 >"$tmp/poll.log" 2>&1 &
watch_pid=$!
wait_for "$tmp/poll.log" "and that stage is graded"
touch "$kit/starter/$second"/*.c
wait_for "$tmp/poll.log" "^Score: "
stop_watch
check "polling: saving a file grades its stage, with the variables given" "$tmp/poll.log" \
	"^racecourse watch: $second changed at" "^make --no-print-directory grade FAST=1 A=$second$"

echo "self-study: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
