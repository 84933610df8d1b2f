#!/usr/bin/env node
// `npm run bench:guard -- --before <git rev> [--rounds 4 --jobs 20 --fixture invoice]`
//
// Is a change within a few percent of before on the common case? Single runs on this kind of
// machine vary by 25%, so one run of each says nothing. This starts two local stacks side by side,
// "before" (the given revision, checked out into a temporary worktree that borrows this checkout's
// node_modules) and "after" (this working tree), and then alternates: in each round, `--jobs`
// sequential jobs on one stack, then the same on the other, the order flipping every round, so a
// machine that gets busier or quieter affects both alike. Each job is timed end to end (POST →
// signed webhook → PDF downloaded). It prints each side's median over all its jobs and the ratio
// after/before, with each round's medians so the spread is visible. Loopback only; bounded loops.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { endToEndJob } from "./lib/e2e-job.mjs";
import { REPO_ROOT, startLocalStack } from "./lib/local-stack.mjs";
import { fetchWebhookSecret, startReceiver } from "./lib/receiver.mjs";

const { values: opts } = parseArgs({
	options: {
		before: { type: "string" },
		rounds: { type: "string", default: "4" },
		jobs: { type: "string", default: "20" },
		fixture: { type: "string", default: "invoice" },
		body: { type: "string", description: "extra JSON merged into each render request" },
	},
});
if (!opts.before) {
	console.error("usage: npm run bench:guard -- --before <git rev> [--rounds 4] [--jobs 20] [--fixture invoice] [--body '{...}']");
	process.exit(2);
}
const ROUNDS = Number(opts.rounds);
const JOBS = Number(opts.jobs);
const KEY = "dev_local_key";
const html = readFileSync(join(REPO_ROOT, "test", "fixtures", `${opts.fixture}.html`), "utf8");
const body = { html, pdf: { format: "A4", printBackground: true }, ...(opts.body ? JSON.parse(opts.body) : {}) };

const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A detached worktree of `rev` with this checkout's node_modules (same lock file assumed). */
function checkout(rev) {
	const dir = join(mkdtempSync(join(tmpdir(), "edge-pdf-before-")), "repo");
	execFileSync("git", ["worktree", "add", "--detach", dir, rev], { cwd: REPO_ROOT, stdio: "ignore" });
	symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
	execFileSync(process.execPath, ["scripts/vendor-assets.mjs"], { cwd: dir, stdio: "ignore" });
	return {
		dir,
		remove: () => {
			execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: REPO_ROOT, stdio: "ignore" });
			rmSync(join(dir, ".."), { recursive: true, force: true });
		},
	};
}

async function side(name, root) {
	const stack = await startLocalStack({ root, ...(root === REPO_ROOT ? { snapshot: true } : {}) });
	const receiver = await startReceiver({ secret: await fetchWebhookSecret(stack.origin, KEY) });
	const target = { origin: stack.origin, key: KEY, receiver };
	// Warm-up: the first jobs pay the browser launch and the isolate's cold start.
	for (let i = 0; i < 3; i++) await endToEndJob(target, body);
	return {
		name,
		durations: [],
		roundMedians: [],
		async round() {
			const round = [];
			for (let i = 0; i < JOBS; i++) {
				const t0 = performance.now();
				await endToEndJob(target, body);
				round.push(performance.now() - t0);
			}
			this.durations.push(...round);
			this.roundMedians.push(median(round));
		},
		async close() {
			await receiver.close();
			await stack.stop();
		},
	};
}

const before = checkout(opts.before);
const sides = [];
try {
	sides.push(await side("before", before.dir), await side("after", REPO_ROOT));
	for (let r = 0; r < ROUNDS; r++) {
		const order = r % 2 === 0 ? sides : [...sides].reverse();
		for (const s of order) await s.round();
		console.log(`round ${r + 1}: ${sides.map((s) => `${s.name} ${Math.round(s.roundMedians.at(-1))} ms`).join(", ")}`);
	}
	const [b, a] = sides.map((s) => median(s.durations));
	console.log(`\n${opts.fixture}, ${ROUNDS} rounds × ${JOBS} sequential jobs per side, alternated:`);
	console.log(`  before (${opts.before}) median ${Math.round(b)} ms; after (working tree) median ${Math.round(a)} ms; after/before ${(a / b).toFixed(3)}`);
} finally {
	for (const s of sides) await s.close().catch(() => undefined);
	before.remove();
}
