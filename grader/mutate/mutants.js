// The mutants of a source file: named, deduplicated, sampled, each with a one-line diff.
'use strict';

const crypto = require('crypto');
const { parseC, firstError } = require('./parse');
const { generate, applyEdits, enclosingFunction, functionName } = require('./operators');

function lineOf(src, index) {
	let line = 1;
	for (let i = 0; i < index; i++)
		if (src.charCodeAt(i) === 10)
			line++;
	return line;
}

// The first line that differs, before and after: `-old` / `+new` in one string.
function oneLineDiff(before, after) {
	const a = before.split('\n');
	const b = after.split('\n');
	let i = 0;
	while (i < a.length && i < b.length && a[i] === b[i])
		i++;
	let ja = a.length - 1;
	let jb = b.length - 1;
	while (ja >= i && jb >= i && a[ja] === b[jb]) {
		ja--;
		jb--;
	}
	const old = a.slice(i, ja + 1).map((s) => s.trim()).join(' ⏎ ');
	const neu = b.slice(i, jb + 1).map((s) => s.trim()).join(' ⏎ ');
	return { line: i + 1, text: `-${old} +${neu}` };
}

/*
 * Returns every mutant of src (file is its name in the submission) in source
 * order: { id, op, kind, file, func, line, diff, source }. The id is
 * `op@function#k`, k counting that operator's mutants in that function, so an
 * id outlives edits elsewhere in the file. Mutants that read the same as
 * another, or as the original, are left out. Throws when src does not parse.
 */
async function mutantsOf(file, src) {
	const tree = await parseC(src);
	const err = firstError(tree.rootNode);
	if (err)
		throw new Error(`cannot parse ${file}: syntax error at line ${err.startPosition.row + 1}`);
	const seen = new Set([src]);
	const counts = new Map();
	const out = [];
	for (const m of generate(src, tree)) {
		const func = functionName(enclosingFunction(m.node));
		const key = `${m.op}@${func}`;
		counts.set(key, (counts.get(key) || 0) + 1);
		const source = applyEdits(src, m.edits);
		if (seen.has(source))
			continue;
		seen.add(source);
		const d = oneLineDiff(src, source);
		out.push({ id: `${key}#${counts.get(key)}`, op: m.op, kind: m.kind, file, func,
			line: lineOf(src, m.node.startIndex), diff: d.text, source });
	}
	return out;
}

/*
 * Keeps every concurrency mutant and at most max classic ones: a sample
 * chosen by a hash of their ids, so the same mutants every run. The result
 * stays in source order. max < 0 keeps them all.
 */
function sample(mutants, max) {
	const classic = mutants.filter((m) => m.kind === 'classic');
	if (max < 0 || classic.length <= max)
		return mutants;
	const rank = (m) => crypto.createHash('sha1').update(`${m.file}:${m.id}`).digest('hex');
	const keep = new Set(classic.map((m) => [rank(m), m]).sort((x, y) => (x[0] < y[0] ? -1 : 1))
		.slice(0, max).map(([, m]) => m));
	return mutants.filter((m) => m.kind !== 'classic' || keep.has(m));
}

module.exports = { mutantsOf, sample, oneLineDiff };
