#!/bin/sh
# Gradescope runs this once, as root, to make the autograder's image: the
# packages the kit needs, then the grader, built in /autograder/source.
set -eu

src=${AUTOGRADER_ROOT:-/autograder}/source
packages="build-essential make libcriterion-dev valgrind libjansson-dev libexpat1-dev bubblewrap gdb"
export DEBIAN_FRONTEND=noninteractive

apt-get update -qq
# Criterion is in Ubuntu's universe component (22.04 and later): turn it on
# where the image has it off.
if ! apt-cache show libcriterion-dev >/dev/null 2>&1; then
	apt-get install -y -qq --no-install-recommends software-properties-common
	add-apt-repository -y universe
	apt-get update -qq
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $packages
# With it, the test programs link Criterion's static archives: each test's
# process starts in half the time (docs/authoring.md).  Without, they link
# the shared library, as before.
apt-get install -y -qq --no-install-recommends libnanopb-dev ||
	echo "racecourse: no libnanopb-dev here: the tests link Criterion's shared library"

make -C "$src" --no-print-directory
"$src/grader/racecourse" --list >/dev/null
echo "racecourse: the autograder is ready (stages: $("$src/grader/racecourse" --list | tr '\n' ' '))"
