// Checks docs/promises.md against the docs and the tests. Plain node, no dependencies. Exit code 1
// with one line per problem. Run: npm run check:promises [-- --root <dir>]
//
// Promises are marked where they are made: README.md and docs/*.md (not performance.md, whose
// numbers are benchmarks, nor promises.md itself) end each promise with `<!-- promise: slug -->`
// (several: `<!-- promise: a, b -->`), invisible when rendered. Its key is `<page>#<slug>`, the page
// being `readme` or the file name without `.md`. A page that makes no promise says
// `<!-- promises: none -->`. This script fails when
// - a marked promise has neither a row in docs/promises.md nor its key under "Not yet proved";
// - a row (or a "Not yet proved" key) names a promise no page marks, or a row names no key;
// - a page has no marker and does not say it makes no promise;
// - a row names a test file that does not exist, or a title that is not the title of an
//   `it(...)`/`test(...)` (or `it.each(...)(...)`) in it, or one that is skipped or todo.
// Rows: `| Promise | Key | Test file | Tests |`; a row with an empty Key cell proves the promise of
// the row above it (another test file for the same promise).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const TABLE = "docs/promises.md";
const EXEMPT = new Set(["docs/promises.md", "docs/performance.md"]);
const MARKER = /<!--\s*promise:\s*([^>]*?)\s*-->/g;
const NO_PROMISES = /<!--\s*promises:\s*none\s*-->/;
const KEY = /^[a-z0-9-]+#[a-z0-9-]+$/;

/** The cells of a markdown table row (pipes escaped as \| stay inside their cell). */
function cells(line) {
	return line
		.trim()
		.replace(/^\||\|$/g, "")
		.split(/(?<!\\)\|/)
		.map((cell) => cell.trim());
}

/** `code spans` of a cell, in order. */
const spans = (cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** Where `title` is the title of a test in `source`, or why not. */
function findTitle(source, title) {
	for (const quote of ['"', "'", "`"]) {
		let at = source.indexOf(`${quote}${title}${quote}`);
		while (at !== -1) {
			const lineStart = source.lastIndexOf("\n", at) + 1;
			// A title alone on its line (the formatter wraps long calls): the call opens on the line above.
			const alone = source.slice(lineStart, at).trim() === "";
			const before = alone ? source.slice(source.lastIndexOf("\n", lineStart - 2) + 1, lineStart - 1) : source.slice(lineStart, at);
			if (/\b(it|test)\b[^\n]*\(\s*$/.test(before)) return /\.(skip|todo)\b/.test(before) ? "skipped or todo" : null;
			// it.each([...rows over several lines...])("title", ...) (or `] as const)(`): the call starts further up.
			if (/^\s*\](\s+as\s+const)?\)\(\s*$/.test(before)) {
				const call = source.lastIndexOf(".each(", at);
				const head = source.slice(source.lastIndexOf("\n", call) + 1, call);
				if (call !== -1 && /\b(it|test)(\.(skip|todo))?$/.test(head.trim())) return /\.(skip|todo)$/.test(head.trim()) ? "skipped or todo" : null;
			}
			at = source.indexOf(`${quote}${title}${quote}`, at + 1);
		}
	}
	return "no test with this title";
}

/** `readme` for README.md, `api` for docs/api.md. */
const pageName = (path) => (path === "README.md" ? "readme" : path.replace(/^docs\//, "").replace(/\.md$/, ""));

/** The promise markers of a page, outside fenced code: key → line number. */
function markers(path, text, problems) {
	const found = new Map();
	let fenced = false;
	for (const [index, line] of text.split("\n").entries()) {
		if (/^\s*```/.test(line)) fenced = !fenced;
		if (fenced) continue;
		for (const match of line.matchAll(MARKER)) {
			for (const slug of match[1].split(/[\s,]+/).filter(Boolean)) {
				const key = `${pageName(path)}#${slug}`;
				if (!KEY.test(key)) problems.push(`${path}:${index + 1}: "${slug}" is not a promise slug (a-z, 0-9, -)`);
				else if (found.has(key)) problems.push(`${path}:${index + 1}: promise ${key} is marked twice (also line ${found.get(key)})`);
				else found.set(key, index + 1);
			}
		}
	}
	if (found.size === 0 && !NO_PROMISES.test(text))
		problems.push(`${path}: no promise is marked (mark each with <!-- promise: slug -->, or say <!-- promises: none -->)`);
	return found;
}

/** The rows of the promise tables and the keys listed under "Not yet proved". */
function readTable(markdown, problems) {
	const rows = [];
	const notYet = new Map();
	let previousKey = null;
	let inNotYet = false;
	for (const [index, line] of markdown.split("\n").entries()) {
		const where = `${TABLE}:${index + 1}`;
		if (line.trim() === "") inNotYet = false;
		else if (line.startsWith("Not yet proved")) inNotYet = true;
		if (inNotYet) for (const span of spans(line)) if (KEY.test(span)) notYet.set(span, where);
		if (!line.trim().startsWith("|")) {
			previousKey = null;
			continue;
		}
		const row = cells(line);
		const fileAt = row.findIndex((cell) => /^`test\/[^`]+\.test\.ts`$/.test(cell));
		if (fileAt === -1) continue;
		// An older three-column row would otherwise lend its promise's code spans as keys, or inherit one.
		if (fileAt !== 2) problems.push(`${where}: a row has four columns: Promise | Key | Test file | Tests`);
		const keys = fileAt === 2 ? spans(row[1]) : [];
		if (fileAt === 2 && keys.length === 0 && previousKey === null)
			problems.push(`${where}: the row names no promise key (the Key column, e.g. \`api#errors\`)`);
		for (const key of keys) if (!KEY.test(key)) problems.push(`${where}: "${key}" is not a promise key (<page>#<slug>)`);
		const key = keys[0] ?? previousKey;
		previousKey = key;
		rows.push({ where, key, file: spans(row[fileAt])[0], titles: spans(row[fileAt + 1] ?? "") });
	}
	return { rows, notYet };
}

export function checkPromises(root) {
	const read = (path) => readFileSync(join(root, path), "utf8");
	const problems = [];
	const pages = [
		"README.md",
		...readdirSync(join(root, "docs"))
			.filter((f) => f.endsWith(".md"))
			.map((f) => `docs/${f}`),
	].filter((path) => !EXEMPT.has(path) && existsSync(join(root, path)));
	const marked = new Map();
	for (const path of pages) for (const [key, line] of markers(path, read(path), problems)) marked.set(key, `${path}:${line}`);

	const { rows, notYet } = readTable(read(TABLE), problems);
	if (rows.length === 0) problems.push(`${TABLE}: no promise rows found`);
	const proved = new Set();
	for (const { where, key, file, titles } of rows) {
		if (key && KEY.test(key)) {
			proved.add(key);
			if (!marked.has(key)) problems.push(`${where}: ${key}: no page marks this promise (<!-- promise: ${key.split("#")[1]} --> in its page)`);
		}
		if (titles.length === 0) problems.push(`${where}: no test title after ${file}`);
		if (!existsSync(join(root, file))) {
			problems.push(`${where}: ${file} does not exist`);
			continue;
		}
		const source = read(file);
		for (const title of titles) {
			const why = findTitle(source, title);
			if (why) problems.push(`${where}: ${file}: "${title}": ${why}`);
		}
	}
	for (const [key, where] of notYet) if (!marked.has(key)) problems.push(`${where}: ${key} is listed as not yet proved, but no page marks it`);
	for (const [key, where] of marked) {
		if (!proved.has(key) && !notYet.has(key)) problems.push(`${where}: promise ${key} has no row in ${TABLE} (nor its key under "Not yet proved")`);
	}
	return { rows: rows.length, promises: marked.size, problems };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const at = process.argv.indexOf("--root");
	const root = at === -1 ? join(dirname(fileURLToPath(import.meta.url)), "..") : process.argv[at + 1];
	const { rows, promises, problems } = checkPromises(root);
	for (const problem of problems) console.error(problem);
	if (problems.length > 0) {
		console.error(`check-promises: ${problems.length} problem(s) in ${promises} promises and ${rows} rows`);
		process.exit(1);
	}
	console.log(`check-promises: ${promises} promises, ${rows} rows, every promise has a row or is listed as not yet proved, every test found`);
}
