// Self-test of make mutate's generator on tests/mutate/fixture.c: every operator applies, every mutant parses and compiles.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseC, firstError } = require('../../grader/mutate/parse');
const { OPERATORS } = require('../../grader/mutate/operators');
const { mutantsOf, sample } = require('../../grader/mutate/mutants');

const kit = path.resolve(__dirname, '../..');
const fixture = path.join(__dirname, 'fixture.c');
let passed = 0;
let failed = 0;

function check(name, ok, detail) {
	if (ok) {
		passed++;
	} else {
		failed++;
		process.stdout.write(`  FAIL ${name}${detail ? `\n       ${detail}` : ''}\n`);
	}
}

function byId(ms, id) {
	return ms.find((m) => m.id === id);
}

// The lines of the mutant that are not in the original, and the other way round.
function changed(before, after) {
	const a = new Set(before.split('\n').map((l) => l.trim()));
	const b = new Set(after.split('\n').map((l) => l.trim()));
	return { added: [...b].filter((l) => !a.has(l)), removed: [...a].filter((l) => !b.has(l)) };
}

async function main() {
	const src = fs.readFileSync(fixture, 'utf8');
	const ms = await mutantsOf('fixture.c', src);

	process.stdout.write('mutate: the generator on tests/mutate/fixture.c\n');
	for (const [op] of OPERATORS)
		check(`operator ${op} applies`, ms.some((m) => m.op === op), 'no mutant of it in the fixture');

	// Every mutant is still C: a clean parse, and the compiler agrees.
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mutate-test-'));
	let unparsed = 0;
	let uncompiled = [];
	for (const m of ms) {
		if (firstError((await parseC(m.source)).rootNode))
			unparsed++;
		const file = path.join(tmp, `${m.id.replace(/[^\w]/g, '_')}.c`);
		fs.writeFileSync(file, m.source);
		const cc = spawnSync(process.env.CC || 'cc', ['-std=c11', '-pthread', '-D_POSIX_C_SOURCE=200809L',
			'-fsyntax-only', file], { encoding: 'utf8' });
		if (cc.status !== 0)
			uncompiled.push(`${m.id}: ${cc.stderr.split('\n')[0]}`);
	}
	fs.rmSync(tmp, { recursive: true, force: true });
	check(`all ${ms.length} mutants parse`, unparsed === 0, `${unparsed} do not`);
	check(`all ${ms.length} mutants compile`, uncompiled.length === 0, uncompiled.join('\n       '));
	check('no mutant equals the original or another', new Set([src, ...ms.map((m) => m.source)]).size === ms.length + 1);

	// What some operators must do, exactly.
	const expect = (id, adds, removes) => {
		const m = byId(ms, id);
		if (!m)
			return check(id, false, 'no such mutant');
		const d = changed(src, m.source);
		const ok = adds.every((l) => d.added.includes(l)) && removes.every((l) => d.removed.includes(l))
			&& (adds.length || removes.length);
		check(id, ok, `added ${JSON.stringify(d.added)}, removed ${JSON.stringify(d.removed)}`);
	};
	expect('while-to-if@box_wait#1', ['if (!x->ready)'], ['while (!x->ready)']);
	expect('broadcast-to-signal@box_ready#1', ['pthread_cond_signal(&x->changed);'], ['pthread_cond_broadcast(&x->changed);']);
	expect('wrlock-to-rdlock@box_write#1', ['pthread_rwlock_rdlock(&x->rw);'], []);
	expect('trylock-ignored@box_try#1', ['if ((pthread_mutex_trylock(&x->b), 0) != 0)'], []);
	expect('join-removed@box_reap#1', [], ['pthread_join(t, NULL);']);
	expect('wait-removed@box_reap#1', ['while (0 < 0)'], []);
	// The pair goes with every unlock that releases it, the early return's too.
	const pair = byId(ms, 'lock-pair-removed@box_take#1');
	check('lock-pair-removed takes out the lock and both unlocks',
		pair && !pair.source.slice(pair.source.indexOf('bool box_take')).split('void box_wait')[0].includes('pthread_mutex_'),
		pair && pair.diff);
	const order = byId(ms, 'lock-order-swap@box_move#1');
	check('lock-order-swap takes b before a', order
		&& order.source.indexOf('pthread_mutex_lock(&x->b)') < order.source.indexOf('pthread_mutex_lock(&x->a)'));
	// Past an early exit (unlock, return), the section goes on: split it between the check and the act.
	const splits = ms.filter((m) => m.op === 'cs-split' && m.func === 'box_take');
	check('cs-split unlocks and locks again between the check and the act, past an early exit', splits.some((m) =>
		/if \(x->n >= amount && amount != 0\) \{\s*pthread_mutex_unlock\(&x->a\);\s*pthread_mutex_lock\(&x->a\);\s*x->n -= amount;/.test(m.source)),
		splits.map((m) => m.id).join(', '));
	check('no operator reaches into a #define', !ms.some((m) => /#define SLOTS (?!4\b)/.test(m.source)));
	// The offsets are right after a non-ASCII character (tree-sitter counts in UTF-16 here, as JavaScript does).
	check('edits land after a non-ASCII comment', byId(ms, 'stmt-deleted@box_move#4')
		&& changed(src, byId(ms, 'stmt-deleted@box_move#4').source).removed.join() === 'before++;');

	// The same mutants in the same order every time; the sample keeps every concurrency mutant.
	const again = await mutantsOf('fixture.c', src);
	check('deterministic', JSON.stringify(again.map((m) => [m.id, m.source])) === JSON.stringify(ms.map((m) => [m.id, m.source])));
	const s1 = sample(ms, 5).map((m) => m.id);
	const s2 = sample(again, 5).map((m) => m.id);
	const nconc = ms.filter((m) => m.kind === 'concurrency').length;
	check('the sample is fixed and keeps the concurrency mutants',
		JSON.stringify(s1) === JSON.stringify(s2) && s1.length === nconc + 5, `${s1.length} kept, ${nconc} concurrency`);
	check('--max -1 keeps all', sample(ms, -1).length === ms.length);

	// Bad input: a clear message and a non-zero exit, never a crash.
	await mutantsOf('broken.c', 'int f(void) { return (1; }').then(
		() => check('a file that does not parse is refused', false, 'it was accepted'),
		(e) => check('a file that does not parse is refused', /cannot parse broken\.c: syntax error at line 1/.test(e.message), e.message));
	const runjs = path.join(kit, 'grader/mutate/run.js');
	const fake = fs.mkdtempSync(path.join(os.tmpdir(), 'mutate-kit-'));
	fs.mkdirSync(path.join(fake, 'assignments/09-nosolution'), { recursive: true });
	fs.writeFileSync(path.join(fake, 'assignments/09-nosolution/manifest.json'), '{"student_files": ["x.c"]}');
	const cli = (args) => spawnSync(process.execPath, [runjs, '--kit', fake, ...args], { encoding: 'utf8' });
	let r = cli(['--stage', '09-nosolution']);
	check('a stage without a solution: a clear message, exit 2', r.status === 2
		&& /stage 09-nosolution has no reference solution to mutate/.test(r.stderr), `exit ${r.status}: ${r.stderr}`);
	r = cli(['--stage', '42-none']);
	check('an unknown stage: the list of stages, exit 2', r.status === 2 && /no stage '42-none' \(stages: 09-nosolution\)/.test(r.stderr),
		`exit ${r.status}: ${r.stderr}`);
	r = cli(['--stage', '09-nosolution', '--jobs', 'two']);
	check('a bad option value: exit 2', r.status === 2 && /--jobs must be a whole number/.test(r.stderr), r.stderr);
	// A stage with a solution: --list names the mutants, with the author's equivalent marks.
	fs.mkdirSync(path.join(fake, 'solutions/09-nosolution'), { recursive: true });
	fs.copyFileSync(fixture, path.join(fake, 'solutions/09-nosolution/x.c'));
	fs.mkdirSync(path.join(fake, 'tests/mutants/09-nosolution'), { recursive: true });
	fs.writeFileSync(path.join(fake, 'tests/mutants/09-nosolution/equivalent.json'), JSON.stringify([
		{ id: 'incdec@box_move#1', reason: 'a mark for the test' },
		{ id: 'rel-op@nowhere#1', reason: 'gone' }]));
	r = cli(['--stage', '09-nosolution', '--list', '--max', '-1']);
	check('--list marks the equivalent mutant and notes a stale mark', r.status === 0
		&& r.stdout.includes('incdec@box_move#1\tx.c:32\t-before++; +before--;\t(equivalent: a mark for the test)')
		&& /marks rel-op@nowhere#1, which is no longer a mutant of the solution/.test(r.stderr)
		&& r.stdout.includes(`${ms.length} mutants (${ms.length} before sampling)`), `exit ${r.status}: ${r.stderr}${r.stdout.slice(-300)}`);
	fs.writeFileSync(path.join(fake, 'tests/mutants/09-nosolution/equivalent.json'), '[{"id": "x"}]');
	r = cli(['--stage', '09-nosolution', '--list']);
	check('an equivalent mark without a reason is refused', r.status === 2 && /equivalent\.json: expected a list/.test(r.stderr), r.stderr);
	fs.rmSync(fake, { recursive: true, force: true });

	process.stdout.write(`mutate: ${passed} passed, ${failed} failed\n`);
	process.exit(failed ? 1 : 0);
}

main().catch((e) => {
	process.stdout.write(`mutate: the self-test crashed: ${e.stack}\n`);
	process.exit(1);
});
