// scripts/vendor-assets.mjs runs before every `npm start`: with the files already in place it must
// write nothing, or a second local stack would make the first one's `wrangler dev` reload.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/local-stack.mjs";

function vendorAssets(out: string) {
	const res = spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "vendor-assets.mjs"), "--out", out], { encoding: "utf8", timeout: 60_000 });
	expect(res.status, res.stderr).toBe(0);
}

/** Each file's modification time, in ms. */
const mtimes = (dir: string) => Object.fromEntries(readdirSync(dir).map((name) => [name, statSync(join(dir, name)).mtimeMs]));

describe("scripts/vendor-assets.mjs", () => {
	it("run again over files already in place, it writes nothing; a file that differs is written again", () => {
		const out = mkdtempSync(join(tmpdir(), "edge-pdf-vendor-test-"));
		vendorAssets(out);
		const files = readdirSync(out).sort();
		expect(files).toEqual(["LICENSE", "NOTICE", "swagger-ui-bundle.js", "swagger-ui.css"]);
		// An hour ago, so a rewrite shows whatever the file system's timestamp resolution.
		const past = new Date(Date.now() - 3_600_000);
		for (const file of files) utimesSync(join(out, file), past, past);
		const before = mtimes(out);

		vendorAssets(out);
		expect(mtimes(out)).toEqual(before);

		const original = readFileSync(join(out, "swagger-ui.css"));
		writeFileSync(join(out, "swagger-ui.css"), "/* stale */");
		utimesSync(join(out, "swagger-ui.css"), past, past);
		vendorAssets(out);
		expect(readFileSync(join(out, "swagger-ui.css")).equals(original)).toBe(true);
		const after = mtimes(out);
		expect(after["swagger-ui.css"]).toBeGreaterThan(before["swagger-ui.css"]!);
		expect({ ...after, "swagger-ui.css": 0 }).toEqual({ ...before, "swagger-ui.css": 0 });
	});
});
