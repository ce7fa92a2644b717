#!/bin/sh
# Gradescope's autograder zip, end to end: make it, unzip it into a root laid
# out like Gradescope's /autograder, run run_autograder on a solution (a loose
# file, a repository) and a mutant, and check each results.json with
# tests/gradescope_check.c.  setup.sh runs with apt stubs (no network here).
set -u
cd "$(dirname "$0")/.." || exit 2

stage=03-race
mutant=tests/mutants/$stage/split-check-act
failing=withdraw/exact_under_contention
tmp=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-gradescope.XXXXXX")
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
in_zip() { grep -qx -- "$1" "$tmp/zip.list"; }
none_in_zip() { ! grep -E -- "$1" "$tmp/zip.list"; }

if ! command -v zip >/dev/null 2>&1 || ! command -v unzip >/dev/null 2>&1; then
	sh grader/install-deps.sh package || exit 1
fi
check=$tmp/gradescope_check
${CC:-cc} -std=c11 -Wall -Wextra -O2 -o "$check" tests/gradescope_check.c -ljansson -lm || exit 1

echo "gradescope: the zip"
zip=$tmp/autograder.zip
if ! sh grader/package.sh -o "$zip" gradescope "$stage" >"$tmp/why" 2>&1; then
	fail "make gradescope A=$stage" "$tmp/why"
	echo "gradescope: $passed passed, $failed failed"
	exit 1
fi
unzip -Z1 "$zip" >"$tmp/zip.list"
expect "setup.sh and run_autograder at its root" in_zip setup.sh
expect "run_autograder at its root" in_zip run_autograder
for f in Makefile grader/main.c grader/install-deps.sh "assignments/$stage/manifest.json" \
	"tests/$stage/test_account.c" tests/lib/runner.c; do
	expect "has $f" in_zip "$f"
done
expect "no solutions, mutants, grader unit tests, build products" \
	none_in_zip '^(solutions|tests/mutants|tests/grader|build|dist|\.ci)/|^grader/racecourse$|\.o$'
expect "the stage list is in the zip" test "$(unzip -p "$zip" gradescope-stages)" = "$stage"

# Planted in a copy of the kit: a hidden test goes in, a copied solution stops it.
copy=$tmp/kit
mkdir "$copy"
tar -cf - --exclude=./.git --exclude=./build --exclude=./dist --exclude=./grader/racecourse . |
	tar -C "$copy" -xf -
mkdir -p "$copy/tests/$stage/hidden"
echo '/* an instructor-only test */' >"$copy/tests/$stage/hidden/test_hidden.c"
sh "$copy/grader/package.sh" -o "$tmp/planted.zip" gradescope >/dev/null 2>&1
unzip -Z1 "$tmp/planted.zip" >"$tmp/zip.list" 2>/dev/null
expect "hidden tests are in the zip" in_zip "tests/$stage/hidden/test_hidden.c"
expect "no stage list when no stage is given" sh -c '! grep -qx gradescope-stages "$1"' - "$tmp/zip.list"
cp "solutions/$stage/account.c" "$copy/tests/$stage/hidden/reference.c"
if sh "$copy/grader/package.sh" -o "$tmp/leak.zip" gradescope >"$tmp/why" 2>&1; then
	fail "refuses a kit with a solution copied into tests/"
elif grep -q "tests/$stage/hidden/reference.c has the content of solutions/$stage/account.c" "$tmp/why" &&
	[ ! -e "$tmp/leak.zip" ]; then
	ok "refuses a kit with a solution copied into tests/"
else
	fail "refuses a kit with a solution copied into tests/: not with the file's name" "$tmp/why"
fi

echo "gradescope: run_autograder"
root=$tmp/root
mkdir -p "$root/source" "$root/results"
unzip -q "$zip" -d "$root/source"
cp "$root/source/run_autograder" "$root/run_autograder"	# as Gradescope does
cat >"$root/submission_metadata.json" <<'EOF'
{ "id": 1, "created_at": "2026-01-01T00:00:00Z", "assignment": { "title": "Racecourse 03" },
  "users": [ { "name": "A Student", "email": "student@example.com" } ] }
EOF
results=$root/results/results.json

# grade NAME SUBMISSION_SETUP [ENV...]: runs run_autograder from elsewhere, as
# Gradescope does; the submission is laid out by the function SUBMISSION_SETUP.
grade() {
	name=$1 setup=$2
	shift 2
	rm -rf "$root/submission"
	mkdir "$root/submission"
	$setup "$root/submission"
	(cd / && env AUTOGRADER_ROOT="$root" "$@" "$root/run_autograder") >"$tmp/log" 2>&1
}
loose_solution() { cp "solutions/$stage/account.c" "$1/"; }
# A student's repository whose account_new prints what could pass for JSON:
# stdout must never reach results.json.
noisy_repository() {
	cp README.md Makefile .gitignore "$1/"
	cp -R starter "$1/starter"
	{
		printf '#include <stdio.h>\n'
		printf 'static void noise(void)\n{\n'
		printf '\tstatic const char s[] = "}{\\"score\\": 999, \\"tests\\": []}\\n";\n'
		printf '\tfputs(s, stdout);\n\tfflush(stdout);\n\tfputs(s, stderr);\n}\n'
		awk '{ print } /^account_t \*account_new\(/ { getline; print; print "\tnoise();" }' \
			"solutions/$stage/account.c"
	} >"$1/starter/$stage/account.c"
}
loose_mutant() { cp "$mutant"/* "$1/"; }

# graded NAME RC CHECK_ARGS...: run_autograder's status, then the results.
graded() {
	name=$1 want=$2
	shift 2
	if [ "$rc" -ne "$want" ]; then
		fail "$name: run_autograder exited $rc, expected $want" "$tmp/log"
	elif ! "$check" "$results" "$stage" "$@" >"$tmp/why" 2>&1; then
		fail "$name" "$tmp/why"
		sed -n '1,10p' "$tmp/log" | sed 's/^/        log: /'
	else
		ok "$name"
	fi
}

grade "solution, loose file" loose_solution
rc=$?
graded "solution, loose file: full marks (and the grader built on the way)" 0 full
expect "the stage list in the zip chose the stage" grep -q "grading $stage" "$tmp/log"

grade "solution, repository" noisy_repository RACECOURSE_STAGES="$stage"
rc=$?
expect "the repository's account_new prints" grep -q "^$(printf '\t')noise();" \
	"$root/submission/starter/$stage/account.c"
graded "solution in a repository that prints JSON-like noise: full marks" 0 full

grade "mutant" loose_mutant
rc=$?
graded "mutant $(basename "$mutant"): below full marks, $failing failed" 0 fails "$failing"

grade "unknown stage" loose_solution RACECOURSE_STAGES=99-nope
rc=$?
if [ "$rc" -ne 0 ] && [ ! -e "$results" ] && grep -q "unknown stage '99-nope'" "$tmp/log"; then
	ok "RACECOURSE_STAGES overrides the zip's list; a failed run leaves no results.json"
else
	fail "RACECOURSE_STAGES=99-nope: exit $rc, results.json $([ -e "$results" ] || echo not) there" "$tmp/log"
fi

echo "gradescope: setup.sh (apt stubbed)"
bin=$tmp/bin
mkdir -p "$bin"
for tool in apt-get add-apt-repository; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/apt.log"\n' "$tool" "$tmp" >"$bin/$tool"
done
printf '#!/bin/sh\nexit ${APT_CACHE_RC:-0}\n' >"$bin/apt-cache"
chmod 755 "$bin"/*
# setup NAME APT_CACHE_RC: runs setup.sh as Gradescope does, apt-cache answering RC.
setup() {
	rm -f "$tmp/apt.log"
	(cd "$root/source" && env PATH="$bin:$PATH" APT_CACHE_RC="$2" AUTOGRADER_ROOT="$root" \
		bash ./setup.sh) >"$tmp/log" 2>&1
}
if setup "universe on" 0 &&
	grep -q '^apt-get install -y .*build-essential make libcriterion-dev valgrind libjansson-dev libexpat1-dev' "$tmp/apt.log" &&
	! grep -q add-apt-repository "$tmp/apt.log" && grep -q 'autograder is ready' "$tmp/log"; then
	ok "setup.sh installs the packages and builds the grader"
else
	cat "$tmp/apt.log" >>"$tmp/log" 2>/dev/null
	fail "setup.sh installs the packages and builds the grader" "$tmp/log"
fi
if setup "universe off" 100 && grep -q '^add-apt-repository -y universe' "$tmp/apt.log"; then
	ok "setup.sh turns on universe when Criterion is not found"
else
	fail "setup.sh turns on universe when Criterion is not found" "$tmp/log"
fi

echo "gradescope: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
