#!/bin/sh
# Runs make mutate: installs Node and the C grammar on first use, then grader/mutate/run.js (or its self-test).
# Usage: grader/mutate/mutate.sh [--self-test | run.js options...]
set -eu

kit=$(cd "$(dirname "$0")/../.." && pwd)
here="$kit/grader/mutate"
modules="$kit/build/mutate/node"

sh "$kit/grader/install-deps.sh" mutate

# The parser and the grammar, pinned by package-lock.json: WebAssembly, nothing
# to compile. Installed again when the lock file changes.
if ! cmp -s "$here/package-lock.json" "$modules/package-lock.json" 2>/dev/null; then
	rm -rf "$modules"
	mkdir -p "$modules"
	cp "$here/package.json" "$here/package-lock.json" "$modules/"
	echo "make mutate: installing the C parser (npm ci: web-tree-sitter, tree-sitter-c)" >&2
	(cd "$modules" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2) || {
		rm -rf "$modules"
		echo "make mutate: could not install the C parser with npm (see above)" >&2
		exit 2
	}
fi

export NODE_PATH="$modules/node_modules"
if [ "${1:-}" = --self-test ]; then
	exec node "$kit/tests/mutate/test_mutate.js"
fi
exec node "$here/run.js" "$@"
