#!/bin/sh
# Packages the kit for others: Gradescope's autograder zip, or the student kit tarball.
#
# Usage: grader/package.sh [-o FILE] gradescope [STAGE[,STAGE...]]
#        grader/package.sh [-o FILE] student-kit
#
#   gradescope   dist/autograder.zip: setup.sh and run_autograder at its root,
#                and what grading needs (Makefile, grader/, assignments/, tests/
#                with hidden tests, without tests/mutants/ and tests/grader/).
#                STAGES, when given, are written to gradescope-stages in the
#                zip: run_autograder grades only those (one Gradescope
#                assignment per stage).
#   student-kit  dist/racecourse-student.tar.gz, one folder racecourse/: what
#                students get (no solutions, mutants, hidden tests, grader
#                unit tests, instructor docs or CI).
#
# Both refuse to package a file whose content is that of a file in solutions/.
set -eu

kit=$(cd "$(dirname "$0")/.." && pwd)
out=""

die() {
	echo "package: $*" >&2
	exit 1
}

while getopts o: opt; do
	case $opt in
	o) out=$OPTARG ;;
	*) die "usage: grader/package.sh [-o FILE] gradescope [STAGES] | student-kit" ;;
	esac
done
shift $((OPTIND - 1))
case $out in
"" | /*) ;;
*) out=$PWD/$out ;;
esac
[ $# -ge 1 ] || die "usage: grader/package.sh [-o FILE] gradescope [STAGES] | student-kit"
mode=$1
shift

tmp=$(mktemp -d "${TMPDIR:-/tmp}/racecourse-package.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$kit"

# The kit's files under the given folders, less what a build or a run leaves.
kit_files() {
	find "$@" -type f ! -name '*.o' ! -name '*.d' ! -path grader/racecourse \
		! -path 'tests/mutants/*' ! -path 'tests/grader/*' ! -path 'tests/hostile*'
}

# copy_files DEST: copies the files listed on standard input (paths from the
# kit's root) into DEST, keeping their folders and modes.
copy_files() {
	mkdir -p "$1"
	tar -cf - --no-recursion --verbatim-files-from -T - | tar -C "$1" -xf -
}

# no_solutions DIR: fails when a file in DIR has the content of a solution.
no_solutions() {
	[ -d solutions ] || return 0
	find solutions -type f -size +0 -exec sha256sum {} + >"$tmp/solutions.sum"
	(cd "$1" && find . -type f -size +0 -exec sha256sum {} +) >"$tmp/packaged.sum"
	awk 'NR == FNR { sol[$1] = $2; next }
	     $1 in sol { sub(/^\.\//, "", $2); print "package: " $2 " has the content of " sol[$1] " (not packaged)"; bad = 1 }
	     END { exit bad }' "$tmp/solutions.sum" "$tmp/packaged.sum" >&2 ||
		die "refusing to package solutions"
}

# The stage names run_autograder will pass to the grader, checked here so that
# a typo shows now rather than on the first student's submission.
check_stages() {
	known=""
	for dir in assignments/*/; do
		[ -f "$dir/manifest.json" ] && known="$known$(basename "$dir") "
	done
	for s in $(echo "$1" | tr ',' ' '); do
		case " $known" in
		*" $s "* | *" $s-"*) ;;
		*) die "unknown stage '$s' (the stages are: ${known% })" ;;
		esac
	done
}

finish() { # BUILT FILE: moves the new archive into place
	mkdir -p "$(dirname "$2")"
	mv "$1" "$2"
	echo "wrote ${2#"$kit"/} ($3)"
}

case $mode in
gradescope)
	stages=${1:-}
	[ -n "$stages" ] && check_stages "$stages"
	command -v zip >/dev/null 2>&1 || sh grader/install-deps.sh package
	command -v zip >/dev/null 2>&1 || die "zip is not installed: install the Debian package 'zip'"
	root=$tmp/autograder
	{ echo Makefile; kit_files grader assignments tests; } |
		grep -v '^grader/gradescope/' | copy_files "$root"
	cp grader/gradescope/setup.sh grader/gradescope/run_autograder "$root/"
	chmod 755 "$root/setup.sh" "$root/run_autograder"
	[ -z "$stages" ] || echo "$stages" >"$root/gradescope-stages"
	no_solutions "$root"
	n=$(find "$root" -type f | wc -l)
	(cd "$root" && zip -q -r -X "$tmp/autograder.zip" .)
	finish "$tmp/autograder.zip" "${out:-$kit/dist/autograder.zip}" \
		"$n files; stages: ${stages:-all}"
	;;
student-kit)
	[ -d solutions ] || die "no solutions/ here: the student kit is made from the instructor's kit"
	root=$tmp/racecourse
	{
		echo README.md
		echo Makefile
		echo .gitignore
		echo Dockerfile
		echo .dockerignore
		echo docs/student-guide.md
		[ -d docs/examples ] && kit_files docs/examples
		# of tests/, what grading needs: the stages' suites and tests/lib; the
		# kit's self-tests need solutions/ and are the instructor's
		kit_files grader assignments starter tests/lib $(ls -d tests/[0-9]*/) |
			grep -v '^tests/[^/]*/hidden/'
	} | copy_files "$root"
	if [ -f student-kit/.github/workflows/grade.yml ]; then
		mkdir -p "$root/.github/workflows"
		cp student-kit/.github/workflows/grade.yml "$root/.github/workflows/grade.yml"
	fi
	# the dev container: make grade on macOS and Windows too (docs/student-guide.md)
	if [ -f student-kit/.devcontainer/devcontainer.json ]; then
		mkdir -p "$root/.devcontainer"
		cp student-kit/.devcontainer/devcontainer.json "$root/.devcontainer/"
	fi
	no_solutions "$root"
	n=$(find "$root" -type f | wc -l)
	tar -C "$tmp" --sort=name --owner=0 --group=0 --numeric-owner \
		-czf "$tmp/racecourse-student.tar.gz" racecourse
	finish "$tmp/racecourse-student.tar.gz" "${out:-$kit/dist/racecourse-student.tar.gz}" "$n files"
	;;
*)
	die "unknown mode '$mode' (gradescope or student-kit)"
	;;
esac
