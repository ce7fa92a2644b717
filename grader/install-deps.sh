#!/bin/sh
# Installs what Racecourse needs, from the system's packages, when it is missing.
# Usage: grader/install-deps.sh [grade|test|mutate]   (test also wants the tools the kit's own tests use;
#        mutate, Node for make mutate's C parser)
set -eu

want=${1:-grade}
missing=""

need_header() { # header package
	for dir in /usr/include /usr/local/include /usr/include/x86_64-linux-gnu /usr/include/aarch64-linux-gnu; do
		[ -f "$dir/$1" ] && return 0
	done
	missing="$missing $2"
}
need_command() { # command package
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}

need_command cc gcc
need_command make make
need_header criterion/criterion.h libcriterion-dev
need_header jansson.h libjansson-dev
need_header expat.h libexpat1-dev
need_command valgrind valgrind
need_command gdb gdb	# where a stuck test's threads were
need_command bwrap bubblewrap	# the sandbox (it falls back without it, with less)
need_command unzip unzip	# racecourse batch: a class's .zip submissions
if [ "$want" = test ] || [ "$want" = package ]; then
	need_command zip zip
fi
if [ "$want" = test ] || [ "$want" = mutate ]; then
	need_command node nodejs	# make mutate: tree-sitter's C grammar, as WebAssembly
	need_command npm npm
fi
if [ "$want" = test ]; then
	need_command inotifywait inotify-tools
	need_command xmllint libxml2-utils	# tests/formats.sh checks the junit report
fi

[ -z "$missing" ] && exit 0

echo "racecourse: installing the missing packages:$missing" >&2
if ! command -v apt-get >/dev/null 2>&1; then
	echo "racecourse: no apt-get here: install these with your system's package manager:$missing" >&2
	exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "racecourse: not root and no sudo: as root, run: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$sudo apt-get update -qq >&2 && $sudo apt-get install -y -qq --no-install-recommends $missing >&2 || {
	echo "racecourse: could not install:$missing (see the messages above)" >&2
	exit 1
}
