// The mutation operators of make mutate: concurrency ones (after ConMAn) and classic ones, on a C syntax tree.
'use strict';

const { allNodes } = require('./parse');

/* ---- what the operators recognise ---- */

const LOCKS = {	// lock call -> its unlock
	pthread_mutex_lock: 'pthread_mutex_unlock',
	pthread_rwlock_rdlock: 'pthread_rwlock_unlock',
	pthread_rwlock_wrlock: 'pthread_rwlock_unlock',
	pthread_spin_lock: 'pthread_spin_unlock',
};
const UNLOCKS = new Set(Object.values(LOCKS));
const TRYLOCKS = new Set(['pthread_mutex_trylock', 'pthread_rwlock_tryrdlock',
	'pthread_rwlock_trywrlock', 'pthread_spin_trylock']);
const CONDWAITS = new Set(['pthread_cond_wait', 'pthread_cond_timedwait']);
const NOTIFIES = new Set(['pthread_cond_signal', 'pthread_cond_broadcast']);
const PROCWAITS = new Set(['waitpid', 'wait', 'waitid']);
// Calls that only the concurrency operators touch (stmt-deleted leaves them alone).
const SYNC = new Set([...Object.keys(LOCKS), ...UNLOCKS, ...TRYLOCKS, ...CONDWAITS,
	...NOTIFIES, ...PROCWAITS, 'pthread_join']);
const JUMPS = new Set(['return_statement', 'break_statement', 'continue_statement', 'goto_statement']);
const REL_SWAP = { '<': '<=', '<=': '<', '>': '>=', '>=': '>', '==': '!=', '!=': '==' };
const ARITH_SWAP = { '+': '-', '-': '+', '+=': '-=', '-=': '+=' };

// Every operator, in the order of the reports, with what it does.
const OPERATORS = [
	['lock-pair-removed', 'concurrency', 'a lock call and the unlocks that release it deleted'],
	['unlock-removed', 'concurrency', 'one unlock call deleted (the lock leaks on that path)'],
	['cs-shrink-front', 'concurrency', 'the lock taken one statement later'],
	['cs-shrink-back', 'concurrency', 'the lock released one statement earlier'],
	['cs-shift-up', 'concurrency', 'the whole critical section moved up one statement'],
	['cs-shift-down', 'concurrency', 'the whole critical section moved down one statement'],
	['cs-split', 'concurrency', 'unlock and lock again in the middle of a critical section'],
	['lock-order-swap', 'concurrency', 'two locks taken one after the other, in the other order'],
	['wrlock-to-rdlock', 'concurrency', 'a write lock taken as a read lock'],
	['trylock-ignored', 'concurrency', 'a trylock\'s result ignored: carry on as if it had succeeded'],
	['while-to-if', 'concurrency', 'the loop around a condition wait made an if'],
	['broadcast-to-signal', 'concurrency', 'pthread_cond_broadcast made pthread_cond_signal'],
	['notify-removed', 'concurrency', 'a signal or broadcast deleted'],
	['wait-removed', 'concurrency', 'a wait deleted (condition variable or child process)'],
	['join-removed', 'concurrency', 'a pthread_join deleted'],
	['rel-op', 'classic', 'a relational operator moved across its boundary (< and <=, == and !=)'],
	['logic-op', 'classic', '&& and || swapped'],
	['arith-op', 'classic', '+ and - swapped (also += and -=)'],
	['incdec', 'classic', '++ and -- swapped'],
	['off-by-one', 'classic', 'an integer constant plus or minus one'],
	['cond-negated', 'classic', 'the condition of an if or a loop negated'],
	['stmt-deleted', 'classic', 'an expression statement deleted'],
	['return-value', 'classic', 'a returned value replaced (by 0, or 0 by 1, or a boolean by its opposite)'],
];
const KIND = Object.fromEntries(OPERATORS.map(([name, kind]) => [name, kind]));

/* ---- helpers on nodes ---- */

function callName(node) {
	if (!node || node.type !== 'call_expression')
		return null;
	const fn = node.childForFieldName('function');
	return fn && fn.type === 'identifier' ? fn.text : null;
}

// The call of an expression statement `f(args);`, or null.
function stmtCall(stmt) {
	if (!stmt || stmt.type !== 'expression_statement')
		return null;
	const expr = stmt.namedChild(0);
	return callName(expr) ? expr : null;
}

function argsText(call) {
	return call.childForFieldName('arguments').text;
}

function isStatement(node) {
	return node.type.endsWith('_statement') || node.type === 'declaration';
}

// The statements of a compound statement, without its comments.
function statements(block) {
	return block.namedChildren.filter(isStatement);
}

function inPreprocessor(node) {
	for (let n = node.parent; n; n = n.parent)
		if (n.type.startsWith('preproc_') && n.type !== 'preproc_if' && n.type !== 'preproc_ifdef'
			&& n.type !== 'preproc_else' && n.type !== 'preproc_elif')
			return true;
	return false;
}

function enclosingFunction(node) {
	for (let n = node; n; n = n.parent)
		if (n.type === 'function_definition')
			return n;
	return null;
}

function functionName(fn) {
	if (!fn)
		return '-';
	let d = fn.childForFieldName('declarator');
	while (d && d.type !== 'function_declarator')
		d = d.childForFieldName('declarator');
	const id = d && d.childForFieldName('declarator');
	return id ? id.text : '-';
}

// Where node is in list (nodes are compared by id: each access makes a new object).
function indexIn(list, node) {
	return list.findIndex((n) => n.id === node.id);
}

function contains(node, pred) {
	return allNodes(node).some(pred);
}

/* ---- edits ---- */

// Deletes a statement: its whole line when it is alone on it, else leaves `;`
// where C needs a statement (the body of an if or a loop).
function deleteStmt(src, stmt) {
	const parent = stmt.parent;
	if (parent.type !== 'compound_statement' && parent.type !== 'translation_unit')
		return { start: stmt.startIndex, end: stmt.endIndex, text: ';' };
	let start = stmt.startIndex;
	let end = stmt.endIndex;
	while (start > 0 && (src[start - 1] === ' ' || src[start - 1] === '\t'))
		start--;
	if ((start === 0 || src[start - 1] === '\n') && src[end] === '\n')
		end++;
	else
		start = stmt.startIndex;
	return { start, end, text: '' };
}

function replace(node, text) {
	return { start: node.startIndex, end: node.endIndex, text };
}

function swap(a, b) {
	return [replace(a, b.text), replace(b, a.text)];
}

function indentOf(src, node) {
	let start = node.startIndex;
	while (start > 0 && src[start - 1] !== '\n')
		start--;
	return src.slice(start, node.startIndex).match(/^[ \t]*/)[0];
}

/* ---- the generator ---- */

// Returns the mutants of one file: { op, kind, node (where), edits } in source order.
function generate(src, tree) {
	const nodes = allNodes(tree.rootNode);
	const out = [];
	const add = (op, node, edits) => out.push({ op, kind: KIND[op], node, edits });

	const lockStmts = nodes.filter((n) => LOCKS[callName(stmtCall(n))]);
	const unlockStmts = nodes.filter((n) => UNLOCKS.has(callName(stmtCall(n))));
	const isUnlockOf = (stmt, lockStmt) => {
		const call = stmtCall(stmt);
		const lc = stmtCall(lockStmt);
		return call && UNLOCKS.has(callName(call)) && callName(call) === LOCKS[callName(lc)]
			&& argsText(call) === argsText(lc);
	};

	for (const lock of lockStmts)
		concurrencyAroundLock(src, lock, { lockStmts, unlockStmts, isUnlockOf, add });

	for (const unlock of unlockStmts) {
		add('unlock-removed', unlock, [deleteStmt(src, unlock)]);
		const block = unlock.parent;
		if (block.type !== 'compound_statement')
			continue;
		const sibs = statements(block);
		const prev = sibs[indexIn(sibs, unlock) - 1];
		if (prev && !isLockOrUnlock(prev) && prev.type !== 'declaration'
			&& !contains(prev, (m) => UNLOCKS.has(callName(m))))
			add('cs-shrink-back', unlock, swap(prev, unlock));
	}

	for (const n of nodes) {
		const name = callName(n);
		if (name === 'pthread_rwlock_wrlock')
			add('wrlock-to-rdlock', n, [replace(n.childForFieldName('function'), 'pthread_rwlock_rdlock')]);
		if (TRYLOCKS.has(name) && n.parent.type !== 'expression_statement')
			add('trylock-ignored', n, [replace(n, `(${n.text}, 0)`)]);
		if (name === 'pthread_cond_broadcast')
			add('broadcast-to-signal', n, [replace(n.childForFieldName('function'), 'pthread_cond_signal')]);
		if (NOTIFIES.has(name) && n.parent.type === 'expression_statement')
			add('notify-removed', n, [deleteStmt(src, n.parent)]);
		if (CONDWAITS.has(name) || PROCWAITS.has(name) || name === 'pthread_join') {
			const op = name === 'pthread_join' ? 'join-removed' : 'wait-removed';
			add(op, n, [n.parent.type === 'expression_statement' ? deleteStmt(src, n.parent) : replace(n, '0')]);
		}
		if (n.type === 'while_statement'
			&& contains(n.childForFieldName('body'), (m) => CONDWAITS.has(callName(m))))
			add('while-to-if', n, [replace(n.child(0), 'if')]);
	}

	for (const n of nodes)
		if (!inPreprocessor(n))
			classic(src, n, add);

	out.sort((a, b) => a.node.startIndex - b.node.startIndex || opIndex(a.op) - opIndex(b.op));
	return out;
}

function opIndex(op) {
	return OPERATORS.findIndex(([name]) => name === op);
}

// An unlock that a return (or break, goto, continue) follows at once.
function earlyExit(unlock) {
	const block = unlock.parent;
	if (block.type !== 'compound_statement')
		return false;
	const sibs = statements(block);
	const next = sibs[indexIn(sibs, unlock) + 1];
	return Boolean(next && JUMPS.has(next.type));
}

function isLockOrUnlock(stmt) {
	const name = callName(stmtCall(stmt));
	return Boolean(LOCKS[name] || UNLOCKS.has(name));
}

// The operators that start from a lock statement: its pair, its critical section, its neighbour.
function concurrencyAroundLock(src, lock, ctx) {
	const fn = enclosingFunction(lock);
	const call = stmtCall(lock);

	// The unlocks that release this lock: those of the same mutex after it, up to its next lock.
	const nextLock = ctx.lockStmts.find((l) => l.startIndex > lock.startIndex
		&& enclosingFunction(l)?.id === fn?.id && argsText(stmtCall(l)) === argsText(call));
	const limit = nextLock ? nextLock.startIndex : (fn ? fn.endIndex : Infinity);
	const releases = ctx.unlockStmts.filter((u) => u.startIndex > lock.startIndex
		&& u.startIndex < limit && ctx.isUnlockOf(u, lock));
	if (releases.length)
		ctx.add('lock-pair-removed', lock, [lock, ...releases].map((s) => deleteStmt(src, s)));

	const block = lock.parent;
	if (block.type !== 'compound_statement')
		return;
	const sibs = statements(block);
	const i = indexIn(sibs, lock);
	const next = sibs[i + 1];
	const prev = sibs[i - 1];

	if (next && LOCKS[callName(stmtCall(next))] && argsText(stmtCall(next)) !== argsText(call))
		ctx.add('lock-order-swap', lock, swap(lock, next));
	if (next && !isLockOrUnlock(next) && !JUMPS.has(next.type) && next.type !== 'declaration')
		ctx.add('cs-shrink-front', lock, swap(lock, next));

	// The critical section at this level: up to the sibling unlock, or the first
	// statement that releases the lock on its way through. An unlock just before
	// a return (an early exit) leaves the lock held on the path that goes on.
	const inside = (u, st) => st.startIndex <= u.startIndex && u.endIndex <= st.endIndex && u.id !== st.id;
	const releaseIn = (st) => ctx.unlockStmts.find((u) => inside(u, st) && ctx.isUnlockOf(u, lock)
		&& !earlyExit(u));
	let j = i + 1;
	while (j < sibs.length && !ctx.isUnlockOf(sibs[j], lock) && !releaseIn(sibs[j]))
		j++;
	const end = sibs[j];		// the unlock, the statement holding one, or undefined
	const paired = end && ctx.isUnlockOf(end, lock);

	if (paired && j > i + 1) {
		if (prev && !isLockOrUnlock(prev) && !JUMPS.has(prev.type) && prev.type !== 'declaration')
			ctx.add('cs-shift-up', lock, [...swap(prev, lock), ...swap(sibs[j - 1], end)]);
		const after = sibs[j + 1];
		if (after && !isLockOrUnlock(after) && !JUMPS.has(after.type) && after.type !== 'declaration')
			ctx.add('cs-shift-down', lock, [...swap(lock, sibs[i + 1]), ...swap(end, after)]);
	}

	const fname = callName(call);
	const relock = (indent) => `\n${indent}${LOCKS[fname]}${argsText(call)};\n${indent}${fname}${argsText(call)};`;
	// Gaps between the statements of the section (not just before its own unlock).
	const last = paired ? j - 1 : j;
	for (let k = i + 1; k < last && k + 1 < sibs.length; k++)
		ctx.add('cs-split', sibs[k + 1], [{ start: sibs[k].endIndex, end: sibs[k].endIndex,
			text: relock(indentOf(src, sibs[k])) }]);
	// The start of a block nested in the section: between a check and what it guards.
	for (let k = i + 1; k <= Math.min(j, sibs.length - 1); k++) {
		if (paired && sibs[k].id === end.id)
			break;
		const stop = k === j ? releaseIn(sibs[k]).startIndex : Infinity;
		for (const inner of allNodes(sibs[k])) {
			if (inner.type !== 'compound_statement' || inner.startIndex >= stop)
				continue;
			const body = statements(inner);
			if (body.length && body[0].startIndex < stop && !isLockOrUnlock(body[0]))
				ctx.add('cs-split', inner, [{ start: inner.child(0).endIndex, end: inner.child(0).endIndex,
					text: relock(indentOf(src, body[0])) }]);
		}
	}
}

// The classic operators at one node.
function classic(src, n, add) {
	const op = n.childForFieldName('operator');
	if (n.type === 'binary_expression' && op) {
		if (REL_SWAP[op.type])
			add('rel-op', n, [replace(op, REL_SWAP[op.type])]);
		if (op.type === '&&' || op.type === '||')
			add('logic-op', n, [replace(op, op.type === '&&' ? '||' : '&&')]);
		if (op.type === '+' || op.type === '-')
			add('arith-op', n, [replace(op, ARITH_SWAP[op.type])]);
	}
	if (n.type === 'assignment_expression' && op && ARITH_SWAP[op.type])
		add('arith-op', n, [replace(op, ARITH_SWAP[op.type])]);
	if (n.type === 'update_expression' && op)
		add('incdec', n, [replace(op, op.type === '++' ? '--' : '++')]);
	if (n.type === 'number_literal' && /^-?\d+$/.test(n.text) && enclosingFunction(n)) {
		const v = Number(n.text);
		add('off-by-one', n, [replace(n, String(v + 1))]);
		if (v !== 0)
			add('off-by-one', n, [replace(n, String(v - 1))]);
	}
	if (['if_statement', 'while_statement', 'do_statement'].includes(n.type)) {
		const cond = n.childForFieldName('condition');
		if (cond && cond.type === 'parenthesized_expression')
			add('cond-negated', cond, [replace(cond, `(!${cond.text})`)]);
	}
	if (n.type === 'for_statement') {
		const cond = n.childForFieldName('condition');
		if (cond)
			add('cond-negated', cond, [replace(cond, `!(${cond.text})`)]);
	}
	if (n.type === 'expression_statement' && n.namedChild(0) && !SYNC.has(callName(n.namedChild(0)))
		&& enclosingFunction(n))
		add('stmt-deleted', n, [deleteStmt(src, n)]);
	if (n.type === 'return_statement' && n.namedChild(0) && n.namedChild(0).type !== 'comment') {
		const v = n.namedChild(0);
		const to = { true: 'false', false: 'true', 0: '1', null: null }[v.type === 'number_literal' ? v.text : v.type];
		if (to !== null)
			add('return-value', v, [replace(v, to === undefined ? '0' : to)]);
	}
}

// Applies non-overlapping edits to src.
function applyEdits(src, edits) {
	const sorted = [...edits].sort((a, b) => b.start - a.start);
	let out = src;
	for (const e of sorted)
		out = out.slice(0, e.start) + e.text + out.slice(e.end);
	return out;
}

module.exports = { OPERATORS, generate, applyEdits, enclosingFunction, functionName };
