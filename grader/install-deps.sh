#!/bin/sh
# Installs what Racecourse needs, from the system's packages, when it is missing.
# Usage: grader/install-deps.sh [grade|test|package|image|mutate|similar]   (test also wants the tools the kit's
# own tests use; image, those that build and run the container image; mutate, Node for make mutate's C parser;
# similar, Node and the compilers that build Dolos's parsers for racecourse batch --similar)
set -eu

want=${1:-grade}
missing=""
optional=""

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
need_header pb.h libnanopb-dev	# Criterion linked from its archives (build.c): half the cost of a test
need_header jansson.h libjansson-dev
need_header expat.h libexpat1-dev
need_header seccomp.h libseccomp-dev
need_command valgrind valgrind
need_command gdb gdb	# where a stuck test's threads were
need_command bwrap bubblewrap	# the sandbox (it falls back without it, with less)
need_command unzip unzip	# racecourse batch: a class's .zip submissions
if [ "$want" = test ] || [ "$want" = package ]; then
	need_command zip zip
fi
if [ "$want" = image ]; then
	# tests/image.sh: the container image, built and run without a registry
	need_command podman podman
	need_command runc runc
	need_command debootstrap debootstrap
fi
if [ "$want" = test ] || [ "$want" = mutate ]; then
	need_command node nodejs	# make mutate: tree-sitter's C grammar, as WebAssembly
	need_command npm npm
fi
if [ "$want" = test ] || [ "$want" = similar ]; then
	# racecourse batch --similar: Dolos, whose tree-sitter parsers node-gyp
	# compiles against the system's Node headers
	need_command node nodejs
	need_command npm npm
	need_header node/node_api.h libnode-dev
	need_command g++ g++
	need_command python3 python3
fi
if [ "$want" = test ]; then
	need_command inotifywait inotify-tools
	need_command xmllint libxml2-utils	# tests/formats.sh checks the junit report
	# report.html in a real browser (tests/batch.sh): wanted, but a machine
	# that cannot install it still runs every other test
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
		optional="$optional chromium"
fi

[ -z "$missing$optional" ] && exit 0

# cannot REASON: what is missing cannot be installed here; only the optional
# packages missing is no failure.
cannot() {
	if [ -z "$missing" ]; then
		echo "racecourse: $1: the tests that need$optional will say they skipped" >&2
		exit 0
	fi
	echo "racecourse: $1: install these with your system's package manager:$missing$optional" >&2
	exit 1
}

echo "racecourse: installing the missing packages:$missing$optional" >&2
command -v apt-get >/dev/null 2>&1 || cannot "no apt-get here"
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	cannot "not root and no sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2 || cannot "apt-get update failed"
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing >&2 || {
		echo "racecourse: could not install:$missing (see the messages above)" >&2
		exit 1
	}
fi
if [ -n "$optional" ]; then
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $optional >&2 ||
		echo "racecourse: could not install:$optional; the tests that need it will say they skipped" >&2
fi
exit 0
