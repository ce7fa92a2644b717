#!/bin/sh
# The sample reports in the docs are the grader's own: every fenced block
# after a "<!-- sample: STAGE SUBMISSION [OPTION...] -->" line must be found,
# line by line, in what the grader prints for that submission (--seed 1, no
# colour).  What changes from run to run is normalized on both sides: every
# number, which tools found a finding, runs of blanks; a "..." in a sample
# line stands for the rest of that line.
# Usage: tests/doc_samples.sh [FILE...]   (default: README.md, docs/*.md, the handouts)
set -u
cd "$(dirname "$0")/.."

grader=${GRADER:-grader/racecourse}
out=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-samples.XXXXXX")
trap 'rm -rf "$out"' EXIT
passed=0
failed=0

normalize() {
	sed -e 's/(found by [^)]*)/(found by X)/g' -e 's/[0-9][0-9]*/0/g' -e 's/[[:space:]][[:space:]]*/ /g' \
		-e 's/^ //' -e 's/ $//'
}

# report ARGS...: the normalized report, graded once per set of arguments
report() {
	key=$(printf '%s' "$*" | tr -c 'A-Za-z0-9' '_')
	if [ ! -f "$out/$key" ]; then
		# shellcheck disable=SC2086
		NO_COLOR=1 $grader --seed 1 $stage_opts --stage "$@" 2>&1 | normalize >"$out/$key"
	fi
	printf '%s\n' "$out/$key"
}

# check FILE: every sample block of FILE
check() {
	file=$1
	awk -v dir="$out" '
		/<!-- sample: .* -->/ {
			args = $0
			sub(/.*<!-- sample: /, "", args)
			sub(/ -->.*/, "", args)
			n++
			want = 1
			next
		}
		want && /^```/ { inside = 1; want = 0; print args > (dir "/args." n); next }
		inside && /^```/ { inside = 0; next }
		inside { print > (dir "/block." n) }
	' "$file"
	n=1
	while [ -f "$out/args.$n" ]; do
		set -- $(cat "$out/args.$n")
		stage=$1
		shift
		stage_opts=""
		path=$(report "$stage" "$@")
		missing=$(sed -e 's/\.\.\..*//' "$out/block.$n" 2>/dev/null | normalize | while IFS= read -r line; do
			[ -n "$line" ] || continue
			grep -qF -- "$line" "$path" || printf '%s\n' "$line"
		done)
		if [ -z "$missing" ]; then
			passed=$((passed + 1))
			printf '  ok    %s: sample %d (%s %s)\n' "$file" "$n" "$stage" "$*"
		else
			failed=$((failed + 1))
			printf '  FAIL  %s: sample %d (%s %s): not in the report:\n' "$file" "$n" "$stage" "$*"
			printf '%s\n' "$missing" | head -n 5 | sed 's/^/        /'
		fi
		rm -f "$out/args.$n" "$out/block.$n"
		n=$((n + 1))
	done
}

files=${*:-README.md docs/*.md assignments/*/README.md}
echo "the docs' sample reports"
for f in $files; do
	grep -q '<!-- sample: ' "$f" && check "$f"
done
echo "doc samples: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
