#!/bin/sh
# make watch: grades a stage again each time you save one of its files in starter/.
# Usage: grader/watch.sh [VAR=value...]
#   The variables go to `make grade` (make watch passes its own, as in make watch FAST=1).
#   Waits with inotifywait (Debian package inotify-tools); without it, or with
#   WATCH_POLL=1 (for folders where inotify sees nothing, as some network or
#   shared folders), looks at the files' times every second.  Ctrl-C ends it.
set -u
cd "$(dirname "$0")/.." || exit 2

make=${MAKE:-make}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-watch.XXXXXX") || exit 2
watcher=""

finish() {
	[ -n "$watcher" ] && kill "$watcher" 2>/dev/null
	rm -rf "$tmp"
}
trap finish EXIT
trap 'echo; exit 0' INT TERM

say() {
	printf 'racecourse watch: %s\n' "$*"
}

# The times and sizes of a stage's C files: changes when one is saved, even unchanged.
signature() {
	stat -c '%n	%y %s' "starter/$1"/*.c "starter/$1"/*.h 2>/dev/null
}

# grade STAGE [VAR=value...]
grade() {
	stage=$1
	shift
	signature "$stage" >"$tmp/graded.$stage"
	[ -t 1 ] && printf '\033[H\033[2J\033[3J'
	say "$stage changed at $(date +%H:%M:%S): grading it"
	"$make" --no-print-directory grade "$@" A="$stage" 3<&-
	echo
	say "waiting for you to save a file in starter/ (Ctrl-C ends)"
}

# on_save PATH [VAR=value...]: grades PATH's stage unless that version was graded already.
on_save() {
	path=$1
	shift
	case $path in
	starter/*/*.c | starter/*/*.h) ;;
	*) return 0 ;;
	esac
	stage=${path#starter/}
	stage=${stage%%/*}
	[ -f "assignments/$stage/manifest.json" ] || return 0
	# An editor's save can come as several events: grade each version of the files once.
	signature "$stage" >"$tmp/now.sig"
	if [ -f "$tmp/graded.$stage" ] && cmp -s "$tmp/now.sig" "$tmp/graded.$stage"; then
		return 0
	fi
	grade "$stage" "$@"
}

# Every C file of starter/ with its time and size, sorted.
snapshot() {
	find starter -type f \( -name '*.c' -o -name '*.h' \) -exec stat -c '%n	%y %s' {} + 2>/dev/null |
		LC_ALL=C sort
}

watch_inotify() {
	mkfifo "$tmp/events" || return 1
	inotifywait -m -r -e close_write,moved_to --format 'event %w%f' starter/ >"$tmp/events" 2>&1 &
	watcher=$!
	while IFS= read -r line <&3; do
		case $line in
		"event "*) on_save "${line#event }" "$@" ;;
		"Watches established."*) say "save a file in starter/<stage>/ and that stage is graded (Ctrl-C ends)" ;;
		"Setting up watches."*) ;;
		*) say "inotifywait: $line" >&2 ;;
		esac
	done 3<"$tmp/events"
	wait "$watcher"
	watcher=""
	say "inotifywait stopped: looking for changes every second instead" >&2
}

watch_poll() {
	snapshot >"$tmp/before"
	say "save a file in starter/<stage>/ and that stage is graded (Ctrl-C ends)"
	while :; do
		sleep 1
		snapshot >"$tmp/after"
		LC_ALL=C comm -13 "$tmp/before" "$tmp/after" | cut -f1 >"$tmp/saved"
		mv "$tmp/after" "$tmp/before"
		while IFS= read -r path <&3; do
			on_save "$path" "$@"
		done 3<"$tmp/saved"
	done
}

[ -d starter ] || { echo "racecourse watch: no starter/ in $(pwd)" >&2; exit 2; }
if [ "${WATCH_POLL:-}" != 1 ] && command -v inotifywait >/dev/null 2>&1; then
	watch_inotify "$@"
else
	[ "${WATCH_POLL:-}" = 1 ] ||
		say "no inotifywait (Debian package inotify-tools): looking for changes every second"
fi
watch_poll "$@"
