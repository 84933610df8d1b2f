// scripts/check-promises.mjs on small doc trees of its own (and on the repository): a promise marked
// in a page needs a row in docs/promises.md, or its key under "Not yet proved".
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/local-stack.mjs";

const TABLE_HEAD = "| Promise | Key | Test file | Tests |\n|---|---|---|---|\n";

/** A tree that passes: two pages with a marked promise each, their rows, the test they name. */
const BASE: Record<string, string> = {
	"README.md": "# x\n\nRenders arrive. <!-- promise: arrive -->\n",
	"docs/api.md": "# API\n\n- Every error is JSON. <!-- promise: errors -->\n\n```\n<!-- promise: in-a-code-block-is-no-marker -->\n```\n",
	"docs/performance.md": "# Performance\n\nNumbers, no promises.\n",
	"docs/promises.md": `# Promises\n\n## All\n\n${TABLE_HEAD}| Renders arrive | \`readme#arrive\` | \`test/a.test.ts\` | \`arrives\` |\n| Errors are JSON | \`api#errors\` | \`test/a.test.ts\` | \`answers JSON\` |\n| (again) | | \`test/a.test.ts\` | \`arrives\` |\n`,
	"test/a.test.ts": 'it("arrives", () => {});\nit("answers JSON", () => {});\n',
};

function check(changes: Record<string, string> = {}, root?: string) {
	const dir = root ?? mkdtempSync(join(tmpdir(), "edge-pdf-promises-test-"));
	if (!root) {
		for (const [path, text] of Object.entries({ ...BASE, ...changes })) {
			mkdirSync(dirname(join(dir, path)), { recursive: true });
			writeFileSync(join(dir, path), text);
		}
	}
	const args = root ? [] : ["--root", dir];
	const res = spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "check-promises.mjs"), ...args], { encoding: "utf8", timeout: 60_000 });
	return { status: res.status, problems: res.stderr.split("\n").filter((line) => line && !line.startsWith("check-promises:")) };
}

describe("npm run check:promises", () => {
	it("passes the repository's own docs and tests", () => {
		const { status, problems } = check({}, REPO_ROOT);
		expect(problems).toEqual([]);
		expect(status).toBe(0);
		expect(check()).toEqual({ status: 0, problems: [] });
	});

	it("fails on a marked promise that has no row, and passes once it is listed as not yet proved", () => {
		const page = `${BASE["docs/api.md"]}\nA key never leaves the header. <!-- promise: key-in-header -->\n`;
		expect(check({ "docs/api.md": page })).toEqual({
			status: 1,
			problems: ['docs/api.md:9: promise api#key-in-header has no row in docs/promises.md (nor its key under "Not yet proved")'],
		});
		const listed = `${BASE["docs/promises.md"]}\nNot yet proved: that a key never\nleaves the header \`api#key-in-header\`.\n`;
		expect(check({ "docs/api.md": page, "docs/promises.md": listed })).toEqual({ status: 0, problems: [] });
	});

	it("fails on a row whose promise no page marks, and on a row without a key", () => {
		const table = `# Promises\n\n${TABLE_HEAD}| Renders arrive | \`readme#arrive\` | \`test/a.test.ts\` | \`arrives\` |\n| Errors are JSON | \`api#errors\` | \`test/a.test.ts\` | \`answers JSON\` |\n| Gone | \`api#gone\` | \`test/a.test.ts\` | \`arrives\` |\n\n${TABLE_HEAD}| No key, no row above | | \`test/a.test.ts\` | \`arrives\` |\n| Three columns | \`test/a.test.ts\` | \`arrives\` |\n`;
		const { status, problems } = check({ "docs/promises.md": table });
		expect(status).toBe(1);
		expect(problems).toEqual([
			"docs/promises.md:11: the row names no promise key (the Key column, e.g. `api#errors`)",
			"docs/promises.md:12: a row has four columns: Promise | Key | Test file | Tests",
			"docs/promises.md:7: api#gone: no page marks this promise (<!-- promise: gone --> in its page)",
		]);
	});

	it("fails on a page with no promise marked, unless it says it makes none", () => {
		expect(check({ "docs/deploy.md": "# Deploy\n\nRun it.\n" })).toEqual({
			status: 1,
			problems: ["docs/deploy.md: no promise is marked (mark each with <!-- promise: slug -->, or say <!-- promises: none -->)"],
		});
		expect(check({ "docs/deploy.md": "# Deploy\n\nRun it.\n<!-- promises: none -->\n" }).status).toBe(0);
	});

	it("fails on a test title that does not exist", () => {
		expect(check({ "test/a.test.ts": 'it("arrives", () => {});\nit.skip("answers JSON", () => {});\n' })).toEqual({
			status: 1,
			problems: ['docs/promises.md:8: test/a.test.ts: "answers JSON": skipped or todo'],
		});
		expect(check({ "test/a.test.ts": 'it("arrives", () => {});\n' }).problems).toEqual([
			'docs/promises.md:8: test/a.test.ts: "answers JSON": no test with this title',
		]);
	});

	it("finds a title the formatter wrapped onto its own line, in it() and it.each()", () => {
		const wrapped = 'it.each(cases)(\n\t"arrives",\n\tasync () => {},\n);\nit(\n\t"answers JSON",\n\t() => {},\n);\n';
		expect(check({ "test/a.test.ts": wrapped })).toEqual({ status: 0, problems: [] });
		expect(check({ "test/a.test.ts": 'it("arrives", () => {});\nconst note = [\n\t"answers JSON",\n];\n' }).problems).toEqual([
			'docs/promises.md:8: test/a.test.ts: "answers JSON": no test with this title',
		]);
	});
});
