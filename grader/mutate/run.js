// make mutate: mutants of a stage's reference solution, each graded by the kit's grader; the kill rate and survivors.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { OPERATORS } = require('./operators');
const { mutantsOf, sample } = require('./mutants');
const { report } = require('./report');

// The grader's flags for a student file (grader/build.h), to see that a mutant compiles.
const CFLAGS = ['-std=c11', '-Wall', '-Wextra', '-g', '-O1', '-pthread', '-D_POSIX_C_SOURCE=200809L'];

const USAGE = `usage: node grader/mutate/run.js --stage NAME [--jobs N] [--max N] [--seed N] [--out DIR] [--list]
  --stage NAME   the stage whose reference solution (solutions/NAME/) is mutated
  --jobs N       mutants graded at once (default 1)
  --max N        classic mutants kept, a fixed sample (default 40; -1: all); concurrency ones are all kept
  --seed N       the grader's perturbation seed, the same for every mutant (default 1)
  --out DIR      where the mutants and results go (default build/mutate/NAME)
  --list         only list the mutants, grade nothing
  --kit DIR      the kit's root (default: the folder above grader/)`;

function fail(msg, code = 2) {
	process.stderr.write(`make mutate: ${msg}\n`);
	process.exit(code);
}

function parseArgs(argv) {
	const o = { jobs: 1, max: 40, seed: 1, list: false, kit: path.resolve(__dirname, '../..') };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const val = () => {
			if (i + 1 >= argv.length)
				fail(`${a} needs a value\n${USAGE}`);
			return argv[++i];
		};
		const int = (name) => {
			const v = val();
			if (!/^-?\d+$/.test(v))
				fail(`${name} must be a whole number, not '${v}'`);
			return Number(v);
		};
		if (a === '--stage') o.stage = val();
		else if (a === '--jobs') o.jobs = int('--jobs');
		else if (a === '--max') o.max = int('--max');
		else if (a === '--seed') o.seed = int('--seed');
		else if (a === '--out') o.out = val();
		else if (a === '--list') o.list = true;
		else if (a === '--kit') o.kit = path.resolve(val());
		else if (a === '-h' || a === '--help') { process.stdout.write(`${USAGE}\n`); process.exit(0); }
		else fail(`unknown option '${a}'\n${USAGE}`);
	}
	if (!o.stage)
		fail(`which stage? make mutate A=<stage>\n${USAGE}`);
	if (o.jobs < 1)
		fail('--jobs must be at least 1');
	return o;
}

// Runs a command; resolves { code, stdout, stderr } (never rejects).
function run(cmd, args, opts = {}) {
	return new Promise((resolve) => {
		const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => { stdout += d; });
		child.stderr.on('data', (d) => { stderr += d; });
		child.on('error', (e) => resolve({ code: -1, stdout, stderr: String(e.message) }));
		child.on('close', (code, sig) => resolve({ code: code === null ? 128 : code, sig, stdout, stderr }));
	});
}

// Runs work(item) for every item, at most jobs at once; results in the items' order.
async function pool(items, jobs, work) {
	const results = new Array(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const i = next++;
			results[i] = await work(items[i], i);
		}
	};
	await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
	return results;
}

// The equivalent mutants an author marked: { id: reason } from tests/mutants/STAGE/equivalent.json.
function readEquivalent(kit, stage) {
	const file = path.join(kit, 'tests/mutants', stage, 'equivalent.json');
	if (!fs.existsSync(file))
		return { file, marks: new Map() };
	let list;
	try {
		list = JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (e) {
		fail(`cannot read ${file}: ${e.message}`);
	}
	if (!Array.isArray(list) || list.some((e) => typeof e.id !== 'string' || typeof e.reason !== 'string' || !e.reason))
		fail(`${file}: expected a list of { "id": "op@function#k", "reason": "why no test can tell" }`);
	return { file, marks: new Map(list.map((e) => [e.id, e.reason])) };
}

// Grades one submission folder; the verdict from the grader's JSON report.
async function grade(kit, stage, dir, out, seed) {
	const grader = path.join(kit, 'grader/racecourse');
	const r = await run(grader, ['--stage', stage, '--format', 'json', '--out', out, '--seed', String(seed), dir]);
	let json;
	try {
		json = JSON.parse(fs.readFileSync(out, 'utf8'));
	} catch (e) {
		return { verdict: 'error', why: `the grader gave no report (exit ${r.code}): ${r.stderr.trim().split('\n')[0] || e.message}` };
	}
	const st = (json.extra_data && json.extra_data.stages || [])[0] || {};
	const findings = (st.findings || []).map((f) => f.kind);
	const failed = (st.tests || []).filter((t) => t.status !== 'passed').map((t) => t.name);
	const killed = json.score < json.max_score || findings.length > 0;
	return { verdict: killed ? 'killed' : 'survived', score: json.score, max: json.max_score,
		failed, findings, state: st.state };
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const kit = o.kit;
	const manifestFile = path.join(kit, 'assignments', o.stage, 'manifest.json');
	if (!fs.existsSync(manifestFile)) {
		const stages = fs.readdirSync(path.join(kit, 'assignments')).filter((s) => /^\d\d-/.test(s)).join(', ');
		fail(`no stage '${o.stage}' (stages: ${stages})`);
	}
	const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
	const solution = path.join(kit, 'solutions', o.stage);
	const files = manifest.student_files || [];
	const missing = files.filter((f) => !fs.existsSync(path.join(solution, f)));
	if (!fs.existsSync(solution) || !files.length || missing.length)
		fail(`stage ${o.stage} has no reference solution to mutate (${path.relative(kit, solution)}/${missing[0] || ''} is missing)`);

	let all = [];
	for (const f of files)
		all = all.concat(await mutantsOf(f, fs.readFileSync(path.join(solution, f), 'utf8')));
	const mutants = sample(all, o.max);
	const { file: eqFile, marks } = readEquivalent(kit, o.stage);
	for (const m of mutants)
		m.equivalent = marks.get(m.id) || null;

	// A mark may name a mutant left out of the sample; one that names no mutant at all is stale.
	const stale = [...marks.keys()].filter((id) => !all.some((m) => m.id === id));
	for (const id of stale)
		process.stderr.write(`make mutate: note: ${path.relative(kit, eqFile)} marks ${id}, which is no longer a mutant of the solution: check it again\n`);
	if (o.list) {
		for (const m of mutants)
			process.stdout.write(`${m.id}\t${m.file}:${m.line}\t${m.diff}${m.equivalent ? `\t(equivalent: ${m.equivalent})` : ''}\n`);
		process.stdout.write(`${mutants.length} mutants (${all.length} before sampling)\n`);
		return;
	}

	const out = path.resolve(o.out || path.join(kit, 'build/mutate', o.stage));
	fs.rmSync(out, { recursive: true, force: true });
	fs.mkdirSync(path.join(out, 'results'), { recursive: true });
	const started = Date.now();
	process.stderr.write(`mutate ${o.stage}: ${mutants.length} mutants (${all.length - mutants.length} classic ones left out by --max ${o.max}), jobs ${o.jobs}\n`);

	// The reference itself first: a kill means nothing if the solution fails too.
	const ref = await grade(kit, o.stage, solution, path.join(out, 'results', 'reference.json'), o.seed);
	if (ref.verdict !== 'survived')
		fail(`the reference solution itself does not get full marks with no findings (${ref.why || `${ref.score}/${ref.max}, findings: ${ref.findings.join(', ') || 'none'}`}): fix it first`);

	const include = path.join(kit, 'assignments', o.stage, 'include');
	await pool(mutants, o.jobs, async (m) => {
		const dir = path.join(out, 'mutants', m.id.replace(/[^\w@#.-]/g, '_'));
		fs.mkdirSync(dir, { recursive: true });
		for (const f of files)
			fs.writeFileSync(path.join(dir, f), f === m.file ? m.source : fs.readFileSync(path.join(solution, f)));
		const cc = await run(process.env.CC || 'cc', [...CFLAGS, '-I', include, '-c', '-o', '/dev/null', path.join(dir, m.file)]);
		if (cc.code !== 0) {
			m.result = { verdict: 'not-compiled', why: (cc.stderr.split('\n').find((l) => /error/.test(l)) || '').trim() };
		} else if (m.equivalent) {
			m.result = { verdict: 'equivalent' };
		} else {
			m.result = await grade(kit, o.stage, dir, path.join(out, 'results', `${path.basename(dir)}.json`), o.seed);
		}
		m.dir = dir;
		process.stderr.write(`  ${m.result.verdict.padEnd(12)} ${m.id}\n`);
	});

	const text = report({ stage: o.stage, kit, out, mutants, all, seed: o.seed, max: o.max,
		operators: OPERATORS, stale, eqFile, seconds: (Date.now() - started) / 1000 });
	process.stdout.write(text);
}

main().catch((e) => fail(e.message));
