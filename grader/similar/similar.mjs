// racecourse batch --similar: Dolos compares every pair of a class's files, stage by stage, the starter code ignored.
//
// Usage: node similar.mjs CLASS.json OUT.json
// CLASS.json: {"top": N, "stages": [{"stage": "04-deadlock",
//   "files": [{"name": "bank.c", "template": "/kit/starter/04-deadlock/bank.c" or null}],
//   "students": [{"id": "ann", "files": {"bank.c": "/scratch/.../bank.c"}}]}]}
// OUT.json: {"tool": "dolos-lib 3.5.1", "stages": [{"stage", "students": N, "note": "...",
//   "pairs": [{"a", "b", "percent", "dolos", "longest", "fragments": [...]}]}]}
// Every pair is listed, the most similar first; the fragments (the matching
// parts, with their lines) only for the `top` first pairs of each stage.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Dolos, File } from "@dodona/dolos-lib";

const MAX_FRAGMENTS = 40;	// per pair shown, after merging
const MAX_LINES = 60;		// per side of a fragment

function version() {
	try {
		const require = createRequire(import.meta.url);
		return "dolos-lib " + require("@dodona/dolos-lib/package.json").version;
	} catch {
		return "dolos-lib";
	}
}

// The occurrences in `file` of the fingerprints that `entry` does not ignore (the starter's are ignored).
function ownFingerprints(entry) {
	let n = 0;
	for (const fp of entry.shared)
		n += fp.occurrencesOf(entry.file).length;
	return n;
}

// The lines first..last (0-based, inclusive) of a file, at most MAX_LINES of them.
function excerpt(file, first, last) {
	const end = Math.min(last, first + MAX_LINES - 1);
	return { first: first + 1, last: last + 1, text: file.lines.slice(first, end + 1).join("\n"),
		 cut: end < last };
}

// One file of a stage: Dolos over every student's copy, with the starter's as the template.
async function compareFile(spec, students, pairs) {
	const files = [], owner = [];
	for (const s of students) {
		const path = s.files[spec.name];
		if (!path)
			continue;
		files.push(new File(`${s.id}/${spec.name}`, readFileSync(path, "utf8")));
		owner.push(s.id);
	}
	if (files.length < 2)
		return;
	const template = spec.template ? new File(`starter/${spec.name}`, readFileSync(spec.template, "utf8")) : undefined;
	const dolos = new Dolos({ language: "c" });
	const report = await dolos.analyze(files, spec.name, template);
	const index = new Map(report.files.map((f, i) => [f, owner[i]]));

	for (const p of report.allPairs()) {
		let a = index.get(p.leftFile), b = index.get(p.rightFile);
		let [ea, eb] = [p.leftEntry, p.rightEntry];
		let [ca, cb] = [p.leftCovered, p.rightCovered];
		const swap = a > b;
		if (swap) {
			[a, b] = [b, a];
			[ea, eb] = [eb, ea];
			[ca, cb] = [cb, ca];
		}
		const key = `${a}\u0000${b}`;
		const acc = pairs.get(key) || { a, b, covered: 0, own: 0, dolos: 0, longest: 0, files: [] };
		acc.covered += ca + cb;
		acc.own += ownFingerprints(ea) + ownFingerprints(eb);
		acc.dolos = Math.max(acc.dolos, p.similarity);
		acc.longest = Math.max(acc.longest, p.longest);
		acc.files.push({ name: spec.name, pair: p, swap });
		pairs.set(key, acc);
	}
}

// The matching parts of a pair: Dolos's fragments as line ranges, the ones
// that overlap on both sides merged into one, each with its lines.
function fragmentsOf(acc) {
	const out = [];
	for (const { name, pair, swap } of acc.files) {
		const [fa, fb] = swap ? [pair.rightFile, pair.leftFile] : [pair.leftFile, pair.rightFile];
		const ranges = pair.buildFragments().map(f => {
			const [sa, sb] = swap ? [f.rightSelection, f.leftSelection] : [f.leftSelection, f.rightSelection];
			return { a: [sa.startRow, sa.endRow], b: [sb.startRow, sb.endRow], kgrams: f.pairs.length };
		}).sort((x, y) => x.a[0] - y.a[0] || x.b[0] - y.b[0]);
		const merged = [];
		for (const r of ranges) {
			const last = merged[merged.length - 1];
			if (last && r.a[0] <= last.a[1] + 1 && r.b[0] <= last.b[1] + 1 && r.b[1] >= last.b[0] - 1) {
				last.a[1] = Math.max(last.a[1], r.a[1]);
				last.b[0] = Math.min(last.b[0], r.b[0]);
				last.b[1] = Math.max(last.b[1], r.b[1]);
				last.kgrams += r.kgrams;
			} else {
				merged.push(r);
			}
		}
		for (const r of merged.slice(0, MAX_FRAGMENTS))
			out.push({ file: name, kgrams: r.kgrams,
				   a: excerpt(fa, r.a[0], r.a[1]), b: excerpt(fb, r.b[0], r.b[1]) });
	}
	return out;
}

async function compareStage(st, top) {
	const pairs = new Map();
	for (const spec of st.files)
		await compareFile(spec, st.students, pairs);
	const list = [...pairs.values()].map(acc => ({
		acc,
		a: acc.a, b: acc.b,
		// The share of the two files' own fingerprints (not the starter's) that the other one has too.
		percent: acc.own ? Math.min(100, 100 * acc.covered / acc.own) : 0,
		dolos: 100 * acc.dolos,
		longest: acc.longest,
	}));
	list.sort((x, y) => y.percent - x.percent || y.longest - x.longest ||
		  x.a.localeCompare(y.a) || x.b.localeCompare(y.b));
	return list.map((p, i) => ({
		a: p.a, b: p.b, percent: Number(p.percent.toFixed(1)), dolos: Number(p.dolos.toFixed(1)),
		longest: p.longest, fragments: i < top && p.percent > 0 ? fragmentsOf(p.acc) : [],
	}));
}

async function main() {
	const [input, output] = process.argv.slice(2);
	if (!input || !output) {
		console.error("usage: node similar.mjs CLASS.json OUT.json");
		process.exit(2);
	}
	const spec = JSON.parse(readFileSync(input, "utf8"));
	const result = { tool: version(), stages: [] };
	for (const st of spec.stages) {
		const n = st.students.length;
		const entry = { stage: st.stage, students: n, pairs: [] };
		if (n < 2)
			entry.note = n ? "one submission has this stage's files: nothing to compare it with"
				       : "no submission has this stage's files";
		else
			entry.pairs = await compareStage(st, spec.top ?? 10);
		result.stages.push(entry);
	}
	writeFileSync(output, JSON.stringify(result));
}

main().catch(e => {
	console.error(`similarity check failed: ${e && e.message ? e.message : e}`);
	process.exit(1);
});
