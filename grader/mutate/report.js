// What make mutate writes: the kill rate per operator, the survivors and their diffs (summary.txt, summary.json, survivors/).
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

// The unified diff of a mutant against the reference file.
function unifiedDiff(kit, stage, m) {
	const ref = path.join('solutions', stage, m.file);
	const r = spawnSync('diff', ['-u', '--label', `a/${ref}`, '--label', `b/${ref}`, ref,
		path.join(m.dir, m.file)], { cwd: kit, encoding: 'utf8' });
	return r.stdout;
}

function pct(killed, counted) {
	return counted ? `${(100 * killed / counted).toFixed(1)}%` : '-';
}

/*
 * Writes the results into out and returns the summary printed on stdout.
 * Kill rate = killed / (graded mutants, not equivalent). Mutants that did not
 * compile, equivalent ones and grader errors are counted apart.
 */
function report(r) {
	const { mutants, operators, out } = r;
	const count = (ms, v) => ms.filter((m) => m.result.verdict === v).length;
	const rows = [];
	for (const [op, kind] of operators) {
		const ms = mutants.filter((m) => m.op === op);
		if (!ms.length)
			continue;
		const killed = count(ms, 'killed');
		const survived = count(ms, 'survived');
		rows.push({ op, kind, mutants: ms.length, not_compiled: count(ms, 'not-compiled'),
			equivalent: count(ms, 'equivalent'), errors: count(ms, 'error'), killed, survived,
			kill_rate: pct(killed, killed + survived) });
	}
	const killed = count(mutants, 'killed');
	const survived = count(mutants, 'survived');
	const conc = mutants.filter((m) => m.kind === 'concurrency');
	const concKilled = count(conc, 'killed');
	const concCounted = concKilled + count(conc, 'survived');

	const survivors = mutants.filter((m) => m.result.verdict === 'survived');
	fs.mkdirSync(path.join(out, 'survivors'), { recursive: true });
	let allDiffs = '';
	for (const m of survivors) {
		const d = unifiedDiff(r.kit, r.stage, m);
		fs.writeFileSync(path.join(out, 'survivors', `${path.basename(m.dir)}.diff`), d);
		allDiffs += `# ${m.id} (${m.op}, ${m.file}:${m.line})\n${d}\n`;
	}
	fs.writeFileSync(path.join(out, 'survivors.diff'), allDiffs);

	const lines = [];
	lines.push(`mutate ${r.stage}: ${mutants.length} mutants of solutions/${r.stage}/ `
		+ `(${r.all.length} generated, --max ${r.max}), grader seed ${r.seed}, ${r.seconds.toFixed(0)} s`);
	lines.push('');
	lines.push(`  ${'operator'.padEnd(20)} ${'kind'.padEnd(12)} mutants  no-cc  equiv  error  killed  survived  kill rate`);
	for (const w of rows)
		lines.push(`  ${w.op.padEnd(20)} ${w.kind.padEnd(12)} ${String(w.mutants).padStart(7)}  ${String(w.not_compiled).padStart(5)}`
			+ `  ${String(w.equivalent).padStart(5)}  ${String(w.errors).padStart(5)}  ${String(w.killed).padStart(6)}`
			+ `  ${String(w.survived).padStart(8)}  ${w.kill_rate.padStart(9)}`);
	lines.push('');
	lines.push(`  kill rate: ${pct(killed, killed + survived)} (${killed} of ${killed + survived});`
		+ ` concurrency operators ${pct(concKilled, concCounted)} (${concKilled} of ${concCounted})`);
	lines.push(`  not compiled: ${count(mutants, 'not-compiled')}, equivalent: ${count(mutants, 'equivalent')},`
		+ ` grader errors: ${count(mutants, 'error')}`);
	if (survivors.length) {
		lines.push('');
		lines.push('  survivors (full marks, no finding):');
		for (const m of survivors)
			lines.push(`    ${m.id.padEnd(34)} ${m.file}:${m.line}  ${m.diff}`);
	}
	for (const m of mutants.filter((x) => x.result.verdict === 'error'))
		lines.push(`  grader error: ${m.id}: ${m.result.why}`);
	for (const id of r.stale)
		lines.push(`  note: ${path.relative(r.kit, r.eqFile)} marks ${id}, which is no longer a mutant of the solution: check it again`);
	lines.push('');
	lines.push(`  in ${path.relative(r.kit, out) || out}/: summary.txt, summary.json, survivors.diff, mutants/, results/`);
	const text = `${lines.join('\n')}\n`;

	fs.writeFileSync(path.join(out, 'summary.txt'), text);
	fs.writeFileSync(path.join(out, 'summary.json'), `${JSON.stringify({
		stage: r.stage, seed: r.seed, max: r.max, generated: r.all.length,
		killed, survived, kill_rate: pct(killed, killed + survived), operators: rows,
		mutants: mutants.map((m) => ({ id: m.id, op: m.op, kind: m.kind, file: m.file, line: m.line,
			diff: m.diff, ...m.result, equivalent: m.equivalent || undefined })),
	}, null, 2)}\n`);
	return text;
}

module.exports = { report };
