#!/bin/sh
# make examples: regenerate docs/examples/, the reports the student guide shows,
# from real runs of the grader on the kit's starters and mutants.
set -eu
cd "$(dirname "$0")/.."
out=docs/examples
mkdir -p "$out"

# example FILE STAGE SUBMISSION: the text report, without colour, fixed seed.
example() {
	NO_COLOR=1 grader/racecourse --seed 1 --stage "$2" "$3" >"$out/$1" 2>&1 || true
	echo "  wrote $out/$1"
}

example 03-race-starter.txt 03-race starter
example 04-deadlock-starter.txt 04-deadlock starter
example 02-counter-address-of-i.txt 02-counter tests/mutants/02-counter/pass_address_of_i
example 03-race-split-check-act.txt 03-race tests/mutants/03-race/split-check-act
example 01-spawn-solution.txt 01-spawn solutions

# A file that does not compile.
broken=$(mktemp -d)
sed 's/return/retrun/' solutions/03-race/account.c >"$broken/account.c"
example compile-error.txt 03-race "$broken"
rm -rf "$broken"
sed -i "s|$broken|submission|g" "$out/compile-error.txt"
