// `npm run provision -- --dry-run`: the wrangler commands derived from wrangler.toml, nothing run.
// (The real run needs a Cloudflare account; its plan is the same function.)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/local-stack.mjs";

function provision(...args: string[]) {
	const res = spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "provision.mjs"), "--dry-run", ...args], { encoding: "utf8", timeout: 60_000 });
	const wouldRun = res.stdout.split("\n").flatMap((line) => /^\s+would run: (wrangler [^(]+?)\s*(?:\(|$)/.exec(line)?.[1] ?? []);
	const lifecycle = JSON.parse(/lifecycle rule \([^)]+\): (.*)$/m.exec(res.stdout)?.[1] ?? "null");
	return { ...res, wouldRun, lifecycle };
}

describe("npm run provision -- --dry-run", () => {
	it("plans every queue, dead-letter queue and bucket of wrangler.toml, a 7-day lifecycle rule, and names the secrets", () => {
		const run = provision();
		expect(run.status, run.stderr).toBe(0);
		expect(run.stdout).not.toMatch(/^\s+(done|exists|FAILED)/m);
		expect(run.wouldRun.filter((c) => c.startsWith("wrangler queues create")).sort()).toEqual([
			"wrangler queues create edge-pdf-render",
			"wrangler queues create edge-pdf-render-dlq",
			"wrangler queues create edge-pdf-render-slow",
			"wrangler queues create edge-pdf-webhooks",
			"wrangler queues create edge-pdf-webhooks-dlq",
		]);
		expect(run.wouldRun).toContain("wrangler r2 bucket create edge-pdf-documents");
		expect(run.wouldRun.some((c) => /^wrangler r2 bucket lifecycle set edge-pdf-documents --file \S+ --force$/.test(c))).toBe(true);
		expect(run.lifecycle.rules[0].deleteObjectsTransition.condition).toEqual({ type: "Age", maxAge: 604_800 });
		for (const secret of ["API_KEYS", "SIGNING_SECRET", "SIGNING_SECRET_PREVIOUS"]) expect(run.stdout).toContain(`wrangler secret put ${secret}`);
	});

	it("follows the configuration: other names, and RETENTION_SECONDS rounded up to whole days", () => {
		const dir = mkdtempSync(join(tmpdir(), "edge-pdf-provision-test-"));
		const toml = readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8")
			.replaceAll("edge-pdf-documents", "acme-pdfs")
			.replaceAll("edge-pdf-render-dlq", "acme-render-dead")
			.replace(/^RETENTION_SECONDS = .*$/m, 'RETENTION_SECONDS = "90000"')
			.replace(/^main = .*$/m, `main = "${join(REPO_ROOT, "src", "index.ts")}"`)
			.replace(/^directory = .*$/m, `directory = "${join(REPO_ROOT, "src", "public")}"`);
		writeFileSync(join(dir, "wrangler.toml"), toml);
		const run = provision("--config", join(dir, "wrangler.toml"));
		expect(run.status, run.stderr).toBe(0);
		expect(run.wouldRun).toContain("wrangler queues create acme-render-dead");
		expect(run.wouldRun).not.toContain("wrangler queues create edge-pdf-render-dlq");
		expect(run.wouldRun).toContain("wrangler r2 bucket create acme-pdfs");
		expect(run.lifecycle.rules[0].deleteObjectsTransition.condition.maxAge).toBe(2 * 86_400);
	});
});
