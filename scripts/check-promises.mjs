// Checks docs/promises.md: every row names a test file that exists and test titles that are in it,
// as the title of an `it(...)`/`test(...)` (or `it.each(...)(...)`), neither skipped nor todo.
// Plain node, no dependencies. Exit code 1 with one line per problem. Run: npm run check:promises
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const TABLE = "docs/promises.md";

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
			const before = source.slice(lineStart, at);
			if (/\b(it|test)\b[^\n]*\(\s*$/.test(before)) return /\.(skip|todo)\b/.test(before) ? "skipped or todo" : null;
			// it.each([...rows over several lines...])("title", ...): the call starts further up.
			if (/^\s*\]\)\(\s*$/.test(before)) {
				const call = source.lastIndexOf(".each(", at);
				const head = source.slice(source.lastIndexOf("\n", call) + 1, call);
				if (call !== -1 && /\b(it|test)(\.(skip|todo))?$/.test(head.trim())) return /\.(skip|todo)$/.test(head.trim()) ? "skipped or todo" : null;
			}
			at = source.indexOf(`${quote}${title}${quote}`, at + 1);
		}
	}
	return "no test with this title";
}

export function checkPromises(markdown, read = (path) => readFileSync(join(root, path), "utf8"), exists = (path) => existsSync(join(root, path))) {
	const problems = [];
	let rows = 0;
	for (const [index, line] of markdown.split("\n").entries()) {
		if (!line.trim().startsWith("|")) continue;
		const row = cells(line);
		const fileCell = row.find((cell) => /^`test\/[^`]+\.test\.ts`$/.test(cell));
		if (!fileCell) continue;
		rows += 1;
		const where = `${TABLE}:${index + 1}`;
		const file = spans(fileCell)[0];
		const titles = spans(row[row.indexOf(fileCell) + 1] ?? "");
		if (titles.length === 0) problems.push(`${where}: no test title after ${file}`);
		if (!exists(file)) {
			problems.push(`${where}: ${file} does not exist`);
			continue;
		}
		const source = read(file);
		for (const title of titles) {
			const why = findTitle(source, title);
			if (why) problems.push(`${where}: ${file}: "${title}": ${why}`);
		}
	}
	if (rows === 0) problems.push(`${TABLE}: no promise rows found`);
	return { rows, problems };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const { rows, problems } = checkPromises(readFileSync(join(root, TABLE), "utf8"));
	for (const problem of problems) console.error(problem);
	if (problems.length > 0) {
		console.error(`check-promises: ${problems.length} problem(s) in ${rows} rows`);
		process.exit(1);
	}
	console.log(`check-promises: ${rows} rows, every test found`);
}
