// A real parse of C for make mutate: tree-sitter's C grammar, run as WebAssembly.
'use strict';

const { Parser, Language } = require('web-tree-sitter');

let parser = null;

// Loads the grammar once; every later call reuses the parser.
async function cParser() {
	if (parser)
		return parser;
	await Parser.init();
	const c = await Language.load(require.resolve('tree-sitter-c/tree-sitter-c.wasm'));
	parser = new Parser();
	parser.setLanguage(c);
	return parser;
}

// Parses src (a string) and returns the tree. Node offsets are indexes into src.
async function parseC(src) {
	const p = await cParser();
	return p.parse(src);
}

// Every node of the tree in source order (depth first, parents before children).
function allNodes(root) {
	const out = [];
	const cursor = root.walk();
	for (;;) {
		out.push(cursor.currentNode);
		if (cursor.gotoFirstChild())
			continue;
		while (!cursor.gotoNextSibling()) {
			if (!cursor.gotoParent())
				return out;
		}
	}
}

// The first ERROR or MISSING node, or null when the parse is clean.
function firstError(root) {
	if (!root.hasError)
		return null;
	return allNodes(root).find((n) => n.isError || n.isMissing) || null;
}

module.exports = { parseC, allNodes, firstError };
