#!/bin/sh
# Runs the similarity check: installs Node and Dolos on first use, then grader/similar/similar.mjs.
# Usage: grader/similar/similar.sh CLASS.json OUT.json   (see similar.mjs); exit 3: Dolos could not be installed
set -eu

kit=$(cd "$(dirname "$0")/../.." && pwd)
here="$kit/grader/similar"
modules="$kit/build/similar/node"

sh "$kit/grader/install-deps.sh" similar >&2 || {
	echo "similarity: could not install Node.js and the compilers Dolos needs (see above)" >&2
	exit 3
}

# Dolos and its C parser, pinned by package-lock.json; the parsers are native
# (tree-sitter through node-gyp), built against the system's Node headers,
# so nothing is downloaded but the npm packages.  Installed again when the
# lock file changes; installed.lock, its copy, is written last, so an install
# that failed or was interrupted is made again next time.
if ! cmp -s "$here/package-lock.json" "$modules/installed.lock" 2>/dev/null; then
	rm -rf "$modules"
	mkdir -p "$modules"
	cp "$here/package.json" "$here/package-lock.json" "$modules/"
	echo "similarity: installing Dolos (npm ci, then its tree-sitter parsers are compiled: a few minutes, once)" >&2
	(cd "$modules" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2 &&
		npm rebuild --nodedir=/usr --no-audit --no-fund --loglevel=error \
			tree-sitter tree-sitter-compat @dodona/dolos-parsers >&2 &&
		node --input-type=module -e 'import("@dodona/dolos-lib").then(async ({ Dolos, File }) => {
			const r = await new Dolos({ language: "c" }).analyze(
				[new File("a.c", "int f(void) { return 1; }"), new File("b.c", "int g(void) { return 2; }")]);
			if (r.allPairs().length !== 1) process.exit(1);
		})' >&2) || {
		rm -rf "$modules"
		echo "similarity: could not install Dolos with npm (see above)" >&2
		exit 3
	}
	cp "$here/package-lock.json" "$modules/installed.lock"
fi

# ES modules are found from the script's own folder: it runs beside node_modules.
cp "$here/similar.mjs" "$modules/similar.mjs"
exec node "$modules/similar.mjs" "$@"
