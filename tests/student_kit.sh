#!/bin/sh
# The student kit, end to end: make it, check what is in it (no solution, by
# path or by content; no mutants, hidden tests or instructor files), unpack it
# and grade the starter there as a student would.
set -u
cd "$(dirname "$0")/.." || exit 2

stage=03-race
tmp=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-student-kit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	printf '  ok    %s\n' "$1"
}
fail() { # NAME [DETAILS FILE]
	failed=$((failed + 1))
	printf '  FAIL  %s\n' "$1"
	[ -n "${2:-}" ] && [ -f "$2" ] && tail -n 15 "$2" | sed 's/^/        /'
}
# expect NAME COMMAND...: ok when the command succeeds.
expect() {
	name=$1
	shift
	if "$@" >"$tmp/why" 2>&1; then ok "$name"; else fail "$name" "$tmp/why"; fi
}
in_kit() { grep -qx -- "racecourse/$1" "$tmp/kit.list"; }
none_in_kit() { ! grep -E -- "$1" "$tmp/kit.list"; }
all_in_folder() { ! grep -Ev '^racecourse(/|$)' "$tmp/kit.list"; }
# no_solution_content DIR: no file under DIR has the content of a file in solutions/.
no_solution_content() {
	find solutions -type f -size +0 -exec sha256sum {} + >"$tmp/solutions.sum"
	(cd "$1" && find . -type f -exec sha256sum {} +) >"$tmp/kit.sum"
	[ -s "$tmp/solutions.sum" ] && [ -s "$tmp/kit.sum" ] &&
		awk 'NR == FNR { sol[$1] = $2; next }
		     $1 in sol { print $2 " is " sol[$1]; bad = 1 }
		     END { exit bad }' "$tmp/solutions.sum" "$tmp/kit.sum"
}

echo "student kit: the tarball"
kit=$tmp/racecourse-student.tar.gz
if ! sh grader/package.sh -o "$kit" student-kit >"$tmp/why" 2>&1; then
	fail "make student-kit" "$tmp/why"
	echo "student kit: $passed passed, $failed failed"
	exit 1
fi
tar tzf "$kit" | sed 's|/$||' >"$tmp/kit.list"
expect "everything is in one folder racecourse/" all_in_folder
for f in README.md Makefile .gitignore grader/main.c grader/install-deps.sh \
	"assignments/$stage/README.md" "assignments/$stage/manifest.json" \
	"assignments/$stage/include/account.h" "starter/$stage/account.c" \
	"tests/$stage/test_account.c" tests/lib/runner.c docs/student-guide.md \
	Dockerfile .dockerignore .devcontainer/devcontainer.json; do
	expect "has $f" in_kit "$f"
done
[ -d docs/examples ] && expect "has docs/examples/" in_kit docs/examples
expect "no solutions, mutants, hidden or grader unit tests, instructor docs, CI, builds" \
	none_in_kit '^racecourse/(solutions|tests/mutants|tests/grader|tests/[^/]*/hidden|\.ci|build|dist|student-kit)(/|$)|^racecourse/docs/(instructor-guide|authoring)\.md$|^racecourse/grader/racecourse$|\.o$'

mkdir "$tmp/x"
tar -C "$tmp/x" -xzf "$kit"
expect "no file has the content of a solution" no_solution_content "$tmp/x"
if [ -f student-kit/.github/workflows/grade.yml ]; then
	expect "the workflow is at .github/workflows/grade.yml" \
		cmp student-kit/.github/workflows/grade.yml "$tmp/x/racecourse/.github/workflows/grade.yml"
fi

# Planted in a copy of the kit: a hidden test and a workflow, then a solution
# copied into starter/.
copy=$tmp/copy
mkdir "$copy"
tar -cf - --exclude=./.git --exclude=./build --exclude=./dist --exclude=./grader/racecourse . |
	tar -C "$copy" -xf -
mkdir -p "$copy/tests/$stage/hidden" "$copy/student-kit/.github/workflows"
echo '/* an instructor-only test */' >"$copy/tests/$stage/hidden/test_hidden.c"
[ -f "$copy/student-kit/.github/workflows/grade.yml" ] ||
	echo 'name: grade' >"$copy/student-kit/.github/workflows/grade.yml"
sh "$copy/grader/package.sh" -o "$tmp/planted.tar.gz" student-kit >/dev/null 2>&1
tar tzf "$tmp/planted.tar.gz" >"$tmp/kit.list" 2>/dev/null
expect "hidden tests stay out" none_in_kit "^racecourse/tests/$stage/hidden"
expect "student-kit/.github/workflows/grade.yml goes to .github/workflows/" \
	in_kit .github/workflows/grade.yml
cp "solutions/$stage/account.c" "$copy/starter/$stage/account_done.c"
if sh "$copy/grader/package.sh" -o "$tmp/leak.tar.gz" student-kit >"$tmp/why" 2>&1; then
	fail "refuses a kit with a solution copied into starter/"
elif grep -q "starter/$stage/account_done.c has the content of solutions/$stage/account.c" "$tmp/why" &&
	[ ! -e "$tmp/leak.tar.gz" ]; then
	ok "refuses a kit with a solution copied into starter/"
else
	fail "refuses a kit with a solution copied into starter/: not with the file's name" "$tmp/why"
fi

echo "student kit: grading in it"
(cd "$tmp/x/racecourse" && make grade DETECTORS=none A="$stage") >"$tmp/log" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q '^Score: ' "$tmp/log" && grep -q 'grade\] Error 1$' "$tmp/log"; then
	ok "make grade A=$stage builds the grader and grades the starter: below full marks"
else
	fail "make grade A=$stage in the kit: exit $rc, expected 2 (make's, for the grader's 1) and a Score: line" "$tmp/log"
fi
(cd "$tmp/x/racecourse" && make test) >"$tmp/log" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'for instructors' "$tmp/log"; then
	ok "make test says the kit's self-tests are for instructors"
else
	fail "make test in the kit: exit $rc, expected a failure saying it is for instructors" "$tmp/log"
fi

echo "student kit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
