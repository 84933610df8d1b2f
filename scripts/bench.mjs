#!/usr/bin/env node
// `npm run bench [-- --jobs 40 --concurrency 1,2,4 --long-jobs 2 --accept 300]`
//
// Starts the local stack (wrangler dev: local Durable Objects, Queues, R2, system Chromium) and,
// in the same run, measures:
//   1. end to end, per fixture and concurrency C: POST /v1/renders → signed webhook received →
//      PDF downloaded from the event's link; jobs/s, p50/p95 latency, browser launches;
//   2. the floor: the same PDFs from one warm Chromium driven directly with puppeteer-core,
//      C pages reused; and the ratios ours/floor; then, as a reference, the same Chromium with a
//      fresh browser context per job, the isolation the service keeps between jobs;
//   3. the 102-page report: completes, peak memory of the Worker runtime (workerd RSS) while it renders;
//   4. the accept path: p50/p99 of POST /v1/renders with 50 in flight, against GET /healthz.
// Timing goals are reported here, never asserted in tests. Loopback only; every loop is bounded.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { endToEndJob } from "./lib/e2e-job.mjs";
import { startFloor } from "./lib/floor.mjs";
import { processTree, REPO_ROOT, startLocalStack } from "./lib/local-stack.mjs";
import { fetchWebhookSecret, startReceiver } from "./lib/receiver.mjs";

const { values: opts } = parseArgs({
	options: {
		jobs: { type: "string", default: "40" },
		concurrency: { type: "string", default: "1,2,4" },
		"long-jobs": { type: "string", default: "2" },
		accept: { type: "string", default: "300" },
		fixtures: { type: "string", default: join(REPO_ROOT, "test", "fixtures") },
		out: { type: "string" },
	},
});
const JOBS = Number(opts.jobs);
const LEVELS = opts.concurrency.split(",").map(Number);
const LONG_JOBS = Number(opts["long-jobs"]);
const ACCEPT = Number(opts.accept);
const KEY = "dev_local_key";
const PDF = { format: "A4", printBackground: true };
const JOB_TIMEOUT_MS = 180_000;

const invoice = readFileSync(join(opts.fixtures, "invoice.html"), "utf8");
const long = readFileSync(join(opts.fixtures, "long.html"), "utf8");

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const ms = (n) => `${Math.round(n)} ms`;
const stats = (latencies) => {
	const sorted = [...latencies].sort((a, b) => a - b);
	return { p50: pct(sorted, 50), p95: pct(sorted, 95), p99: pct(sorted, 99) };
};

/** Runs `total` tasks with `concurrency` in flight; returns per-task durations and wall time. */
async function pool(total, concurrency, task) {
	let next = 0;
	const durations = [];
	const started = performance.now();
	await Promise.all(
		Array.from({ length: Math.min(concurrency, total) }, async () => {
			while (next < total) {
				const i = next++;
				const t0 = performance.now();
				await task(i);
				durations.push(performance.now() - t0);
			}
		}),
	);
	return { durations, wallMs: performance.now() - started };
}

function countInLog(logFile, pattern) {
	return (readFileSync(logFile, "utf8").match(pattern) ?? []).length;
}

/** Resident memory of the stack's own workerd processes (the Worker runtime), in MiB. */
function workerdRssMiB(stackPid) {
	let kib = 0;
	for (const { pid } of processTree(stackPid)) {
		try {
			if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) continue;
			kib += Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/)?.[1] ?? 0);
		} catch {
			// gone meanwhile
		}
	}
	return kib / 1024;
}

async function main() {
	const stack = await startLocalStack();
	const receiver = await startReceiver({ secret: await fetchWebhookSecret(stack.origin, KEY) });
	const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
	const results = { machine: `${(await import("node:os")).cpus().length} cores`, endToEnd: [], floor: [], long: null, accept: null };

	/** One job, end to end: POST → webhook → download. */
	const endToEnd = (html, i) =>
		endToEndJob({ origin: stack.origin, key: KEY, receiver, timeoutMs: JOB_TIMEOUT_MS }, { html, pdf: PDF, metadata: { n: String(i) } });

	try {
		// Warm both sides once, so neither pays a cold start inside a measurement.
		await pool(2, 1, (i) => endToEnd(invoice, i));
		for (const [name, html, jobs] of [
			["invoice", invoice, JOBS],
			["long", long, LONG_JOBS],
		]) {
			for (const c of name === "long" ? [1] : LEVELS) {
				const launchesBefore = countInLog(stack.logFile, /"msg":"browser launched"/g);
				let peak = workerdRssMiB(stack.pid);
				const baseline = peak;
				const sampler = setInterval(() => (peak = Math.max(peak, workerdRssMiB(stack.pid))), 100);
				const run = await pool(jobs, c, (i) => endToEnd(html, i));
				clearInterval(sampler);
				const launches = countInLog(stack.logFile, /"msg":"browser launched"/g) - launchesBefore;
				const ours = { fixture: name, concurrency: c, jobs, jobsPerSec: (jobs / run.wallMs) * 1000, ...stats(run.durations), launches };
				if (name === "long") results.long = { ...ours, workerdRssBaselineMiB: baseline, workerdRssPeakMiB: peak };
				results.endToEnd.push(ours);

				for (const contextPerJob of [false, true]) {
					const floor = await startFloor(c, { contextPerJob });
					try {
						await pool(c, c, () => floor.print(html, PDF));
						const f = await pool(jobs, c, () => floor.print(html, PDF));
						results.floor.push({ fixture: name, concurrency: c, contextPerJob, jobs, jobsPerSec: (jobs / f.wallMs) * 1000, ...stats(f.durations) });
					} finally {
						await floor.close();
					}
				}
			}
		}

		// Accept path: 50 in flight against the same server.
		const health = await pool(ACCEPT, 50, async () => {
			const r = await fetch(`${stack.origin}/healthz`);
			await r.arrayBuffer();
		});
		let limited = 0;
		const accept = await pool(ACCEPT, 50, async () => {
			const r = await fetch(`${stack.origin}/v1/renders`, { method: "POST", headers, body: JSON.stringify({ html: invoice, pdf: PDF }) });
			if (r.status === 429) limited++;
			else if (r.status !== 202) throw new Error(`POST answered ${r.status}`);
			await r.arrayBuffer();
		});
		results.accept = { requests: ACCEPT, inFlight: 50, post: stats(accept.durations), healthz: stats(health.durations), rateLimited: limited };
	} finally {
		await receiver.close();
		await stack.stop();
	}
	report(results);
}

function report(r) {
	const floorOf = (e, contextPerJob = false) =>
		r.floor.find((f) => f.fixture === e.fixture && f.concurrency === e.concurrency && f.contextPerJob === contextPerJob);
	console.log(`\nedge-pdf benchmark — ${r.machine}, local stack (wrangler dev) vs floor (warm Chromium + puppeteer-core)\n`);
	console.log("fixture  C  jobs | ours jobs/s  p50      p95      launches | floor jobs/s  p50      p95     | ours/floor  p50 − floor p50");
	for (const e of r.endToEnd) {
		const f = floorOf(e);
		const row = [
			e.fixture.padEnd(8),
			String(e.concurrency).padStart(1),
			String(e.jobs).padStart(5),
			"|",
			e.jobsPerSec.toFixed(2).padStart(11),
			ms(e.p50).padStart(8),
			ms(e.p95).padStart(8),
			String(e.launches).padStart(9),
			"|",
			f.jobsPerSec.toFixed(2).padStart(12),
			ms(f.p50).padStart(8),
			ms(f.p95).padStart(8),
			"|",
			(e.jobsPerSec / f.jobsPerSec).toFixed(2).padStart(10),
			`+${ms(e.p50 - f.p50)}`.padStart(16),
		];
		console.log(row.join(" "));
	}
	// The same Chromium with the isolation the service keeps: a fresh context per job.
	console.log("\nreference, the same Chromium with a fresh browser context per job (the service's isolation):");
	console.log("fixture  C | isolated jobs/s  p50      | floor/isolated | ours/isolated  p50 − isolated p50");
	for (const e of r.endToEnd) {
		const f = floorOf(e);
		const iso = floorOf(e, true);
		const row = [
			e.fixture.padEnd(8),
			String(e.concurrency),
			"|",
			iso.jobsPerSec.toFixed(2).padStart(15),
			ms(iso.p50).padStart(8),
			"|",
			(f.jobsPerSec / iso.jobsPerSec).toFixed(2).padStart(14),
			"|",
			(e.jobsPerSec / iso.jobsPerSec).toFixed(2).padStart(13),
			`+${ms(e.p50 - iso.p50)}`.padStart(19),
		];
		console.log(row.join(" "));
	}
	if (r.long)
		console.log(
			`\n102-page report: ${r.long.jobs} job(s) completed, p50 ${ms(r.long.p50)}; workerd RSS ${r.long.workerdRssBaselineMiB.toFixed(0)} MiB before, peak ${r.long.workerdRssPeakMiB.toFixed(0)} MiB while rendering`,
		);
	const a = r.accept;
	if (a) {
		console.log(
			`\naccept path, ${a.requests} requests, ${a.inFlight} in flight: POST /v1/renders p50 ${ms(a.post.p50)} p99 ${ms(a.post.p99)} | GET /healthz p50 ${ms(a.healthz.p50)} p99 ${ms(a.healthz.p99)} | p99 ratio ${(a.post.p99 / a.healthz.p99).toFixed(2)}${a.rateLimited ? ` | ${a.rateLimited} answered 429` : ""}`,
		);
	}
	const invoiceRuns = r.endToEnd.filter((e) => e.fixture === "invoice");
	const totalJobs = r.endToEnd.reduce((n, e) => n + e.jobs, 0);
	const totalLaunches = r.endToEnd.reduce((n, e) => n + e.launches, 0);
	console.log("\ntargets:");
	for (const e of invoiceRuns) console.log(`  throughput C=${e.concurrency}: ${(e.jobsPerSec / floorOf(e).jobsPerSec).toFixed(2)}× floor (target ≥ 0.80×)`);
	const c1 = invoiceRuns.find((e) => e.concurrency === Math.min(...LEVELS));
	if (c1) console.log(`  warm p50 C=${c1.concurrency}: floor + ${ms(c1.p50 - floorOf(c1).p50)} (target ≤ +150 ms)`);
	console.log(`  browser launches: ${totalLaunches} in ${totalJobs} measured jobs (target ≤ C per 100 jobs)`);
	if (a) console.log(`  accept p99: ${(a.post.p99 / a.healthz.p99).toFixed(2)}× healthz p99 (target ≤ 4×)`);
	if (opts.out) writeFileSync(opts.out, JSON.stringify(r, null, 2));
}

await main();
