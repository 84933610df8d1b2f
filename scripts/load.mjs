#!/usr/bin/env node
// Load run: N async renders with webhooks against the local stack (or --origin), then checks that
// every job succeeded and every job got exactly one validly signed webhook event.
//
//   node_modules/.bin/node scripts/load.mjs [--jobs 300] [--concurrency 20] [--origin http://127.0.0.1:8787]
//       [--timeout 900] [--settle 10] [--poll-interval 2] [--key dev_local_key] [--var NAME:value ...] [--snapshot]
//
// Without --origin it starts its own stack (scripts/lib/local-stack.mjs) with fresh state and stops
// it at the end; --snapshot runs that stack from a copy of the working tree, so that edits to src/
// during the run do not make wrangler dev reload the Worker (which drops local queue messages).
// Loopback only. Exit status 0 only when every job succeeded with exactly one valid event.
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { followLog, startLocalStack } from "./lib/local-stack.mjs";
import { fetchWebhookSecret, startReceiver } from "./lib/receiver.mjs";

const USAGE =
	"usage: node scripts/load.mjs [--jobs N] [--concurrency C] [--origin URL] [--timeout SECONDS] [--settle SECONDS] [--poll-interval SECONDS] [--key API_KEY] [--var NAME:value]... [--snapshot]";
let opts;
try {
	opts = parseArgs({
		options: {
			jobs: { type: "string", default: "300" },
			concurrency: { type: "string", default: "20" },
			origin: { type: "string" },
			timeout: { type: "string", default: "900" },
			settle: { type: "string", default: "10" },
			"poll-interval": { type: "string", default: "2" },
			key: { type: "string", default: "dev_local_key" },
			var: { type: "string", multiple: true, default: [] },
			snapshot: { type: "boolean", default: false },
			help: { type: "boolean", short: "h" },
		},
	}).values;
} catch (e) {
	console.error(`${e.message}\n${USAGE}`);
	process.exit(2);
}
if (opts.help) {
	console.log(USAGE);
	process.exit(0);
}
const int = (name, min, max) => {
	const n = Number(opts[name]);
	if (!Number.isInteger(n) || n < min || n > max) {
		console.error(`--${name} must be an integer in ${min}..${max}\n${USAGE}`);
		process.exit(2);
	}
	return n;
};
const JOBS = int("jobs", 1, 100_000);
const CONCURRENCY = int("concurrency", 1, 500);
const TIMEOUT_MS = int("timeout", 1, 24 * 3600) * 1000;
const SETTLE_MS = int("settle", 0, 3600) * 1000;
const POLL_MS = Math.max(200, Number(opts["poll-interval"]) * 1000 || 2000);
const POLLS_PER_SWEEP = 10; // at most this many GETs per sweep (≤ 5 req/s at the default interval)…
const REPOLL_MS = 30_000; // …each job without an event at most every 30 s, once it is 15 s old
const API_KEY = opts.key;
const vars = {};
for (const v of opts.var) {
	const i = v.indexOf(":");
	if (i < 1) {
		console.error(`--var expects NAME:value, got ${v}`);
		process.exit(2);
	}
	vars[v.slice(0, i)] = v.slice(i + 1);
}
if (opts.origin) {
	const host = new URL(opts.origin).hostname;
	if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host)) {
		console.error(`--origin must be a loopback address (got ${host})`);
		process.exit(2);
	}
	if (Object.keys(vars).length) console.error("note: --var is ignored with --origin");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const TERMINAL = new Set(["succeeded", "failed", "canceled"]);
const fmtS = (ms) => `${(ms / 1000).toFixed(1)} s`;
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
function percentile(values, p) {
	if (!values.length) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const tally = (items) => {
	const m = {};
	for (const x of items) m[x] = (m[x] ?? 0) + 1;
	return m;
};
const fmtTally = (t) =>
	Object.entries(t)
		.map(([k, v]) => `${k}: ${v}`)
		.join(", ") || "-";

/** Runs fn over items with at most `limit` in flight. */
async function pool(items, limit, fn) {
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const i = next++;
			await fn(items[i], i);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function api(origin, path, init = {}) {
	const res = await fetch(`${origin}${path}`, {
		...init,
		headers: { authorization: `Bearer ${API_KEY}`, ...(init.body ? { "content-type": "application/json" } : {}), ...init.headers },
		signal: AbortSignal.timeout(init.timeoutMs ?? 60_000),
	});
	const text = await res.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {}
	return { status: res.status, json, text };
}

async function main() {
	const runId = randomUUID().slice(0, 8);
	let stack = null;
	let origin = opts.origin?.replace(/\/$/, "");
	if (!origin) {
		log(
			`starting the local stack${opts.snapshot ? " from a snapshot of the working tree" : ""}${Object.keys(vars).length ? ` (vars: ${Object.keys(vars).join(", ")})` : ""}…`,
		);
		const t = Date.now();
		stack = await startLocalStack({ vars, snapshot: opts.snapshot });
		origin = stack.origin;
		log(`stack up at ${origin} in ${fmtS(Date.now() - t)} (log: ${stack.logFile})`);
	}
	let rx = null;
	try {
		const secret = await fetchWebhookSecret(origin, API_KEY);
		rx = await startReceiver({ secret });
		log(`receiver at ${rx.url}; run ${runId}: ${JOBS} jobs, ${CONCURRENCY} in flight`);
		const code = await run(origin, rx, runId, stack);
		return code;
	} finally {
		await rx?.close();
		if (stack) {
			await stack.stop();
			log(`stack stopped (log kept at ${stack.logFile})`);
		}
	}
}

async function run(origin, rx, runId, stack) {
	/** @type {{ n: number, submittedAt: number, respondedAt: number, httpStatus: number|null, id: string|null, submitError: string|null, status: string|null, final: any, polls: number }[]} */
	const jobs = Array.from({ length: JOBS }, (_, n) => ({
		n,
		submittedAt: 0,
		respondedAt: 0,
		httpStatus: null,
		id: null,
		submitError: null,
		status: null,
		final: null,
		polls: 0,
		polledAt: 0,
	}));

	// wrangler dev rebuilds and restarts the Worker whenever src/ changes; note when that happens.
	const reloads = [];
	const stopFollow = stack
		? followLog(stack.logFile, (line, at) => {
				if (/Reloading local server/.test(line)) {
					reloads.push(at);
					log(`note: wrangler dev is reloading the Worker (a watched source file changed)`);
				}
			})
		: () => {};

	// 1. Submit.
	const t0 = Date.now();
	await pool(jobs, CONCURRENCY, async (job) => {
		const body = {
			html: `<!doctype html><html><head><title>load ${runId} #${job.n}</title></head><body><h1>Load job ${job.n}</h1><p>run ${runId}, job number ${job.n} of ${JOBS}</p></body></html>`,
			filename: `load-${runId}-${job.n}.pdf`,
			metadata: { run: runId, n: String(job.n) },
			webhook: { url: rx.url },
		};
		job.submittedAt = Date.now();
		try {
			const res = await api(origin, "/v1/renders", { method: "POST", body: JSON.stringify(body) });
			job.httpStatus = res.status;
			if (res.status === 202 && typeof res.json?.id === "string") {
				job.id = res.json.id;
				job.status = res.json.status;
			} else job.submitError = `${res.status}: ${res.text.slice(0, 200)}`;
		} catch (e) {
			job.submitError = `request error: ${e.message}`;
		}
		job.respondedAt = Date.now();
	});
	const submitMs = Date.now() - t0;
	const accepted = jobs.filter((j) => j.id);
	const byId = new Map(accepted.map((j) => [j.id, j]));
	log(`submitted ${JOBS} in ${fmtS(submitMs)}: ${accepted.length} accepted (${fmtTally(tally(jobs.map((j) => j.httpStatus ?? "error")))})`);

	// 2. Wait: every accepted job terminal and its event in (or its webhook given up by the service).
	const hasEvent = (j) => rx.eventsFor(j.id).length > 0;
	const knownTerminal = (j) => {
		if (j.status && TERMINAL.has(j.status)) return true;
		const ev = rx.eventsFor(j.id)[0];
		return Boolean(ev && TERMINAL.has(ev.status));
	};
	const webhookGaveUp = (j) => j.final?.webhook?.status === "failed";
	const settled = (j) => knownTerminal(j) && (hasEvent(j) || webhookGaveUp(j));
	const deadline = t0 + TIMEOUT_MS;
	let lastProgress = 0;
	let timedOut = false;
	const maxSweeps = Math.ceil(TIMEOUT_MS / POLL_MS) + 10;
	for (let sweep = 0; sweep < maxSweeps; sweep++) {
		const open = accepted.filter((j) => !settled(j));
		if (!open.length) break;
		if (Date.now() >= deadline) {
			timedOut = true;
			break;
		}
		// Poll a few of the jobs that have no event yet, round-robin, four at a time.
		const now = Date.now();
		const due = open.filter((j) => !hasEvent(j) && now - j.submittedAt >= 15_000 && now - j.polledAt >= REPOLL_MS);
		const batch = due.sort((a, b) => a.polledAt - b.polledAt).slice(0, POLLS_PER_SWEEP);
		await pool(batch, 4, async (j) => {
			j.polledAt = Date.now();
			try {
				const res = await api(origin, `/v1/renders/${j.id}`, { timeoutMs: 15_000 });
				j.polls++;
				if (res.status === 200) {
					j.status = res.json.status;
					j.final = res.json;
				}
			} catch {}
		});
		if (Date.now() - lastProgress >= 10_000) {
			lastProgress = Date.now();
			const c = rx.counts();
			log(
				`t+${fmtS(Date.now() - t0)}: ${accepted.filter(knownTerminal).length}/${accepted.length} terminal, ${c.valid} valid events (${c.invalid} invalid, ${c.duplicates} duplicate), ${open.length} open`,
			);
		}
		await rx.waitFor(() => accepted.every(settled), { timeoutMs: Math.max(0, Math.min(POLL_MS, deadline - Date.now())), intervalMs: 250 });
	}
	const doneAt = Date.now();
	const lastEventAt = Math.max(0, ...rx.events.filter((e) => e.valid && byId.has(e.jobId)).map((e) => e.arrivedAt));
	if (timedOut) log(`timed out after ${fmtS(TIMEOUT_MS)} with ${accepted.filter((j) => !settled(j)).length} jobs open`);
	else log(`all ${accepted.length} jobs settled at t+${fmtS(doneAt - t0)}`);

	// 3. Late duplicates: keep listening a little.
	if (SETTLE_MS && !timedOut) {
		log(`listening ${fmtS(SETTLE_MS)} more for late or duplicate events…`);
		await sleep(SETTLE_MS);
	}

	// 4. The service's own view of every job.
	await pool(accepted, 4, async (j) => {
		for (let attempt = 0; attempt < 3; attempt++) {
			try {
				const res = await api(origin, `/v1/renders/${j.id}`, { timeoutMs: 15_000 });
				if (res.status === 200) {
					j.final = res.json;
					j.status = res.json.status;
					return;
				}
			} catch {}
			await sleep(500);
		}
	});

	// 5. Summary.
	const c = rx.counts();
	const foreign = rx.events.filter((e) => e.valid && !byId.has(e.jobId));
	const statusOf = (j) => j.final?.status ?? j.status ?? "unknown";
	const succeeded = accepted.filter((j) => statusOf(j) === "succeeded");
	const failed = accepted.filter((j) => statusOf(j) === "failed");
	const other = accepted.filter((j) => !["succeeded", "failed"].includes(statusOf(j)));
	const perJob = accepted.map((j) => ({ j, evs: rx.eventsFor(j.id) }));
	const exactlyOne = perJob.filter(({ evs }) => evs.length === 1);
	const noEvent = perJob.filter(({ evs }) => evs.length === 0);
	const multi = perJob.filter(({ evs }) => evs.length > 1);
	const multiDistinct = perJob.filter(({ evs }) => new Set(evs.map((e) => e.webhookId)).size > 1);
	const typeMismatch = perJob.filter(({ j, evs }) => evs.length && evs.some((e) => e.type !== `render.${statusOf(j)}`));
	const latencies = perJob.filter(({ evs }) => evs.length).map(({ j, evs }) => evs[0].arrivedAt - j.submittedAt);
	const wallMs = (timedOut ? doneAt : Math.max(lastEventAt, doneAt)) - t0;
	const webhookStatuses = tally(accepted.map((j) => j.final?.webhook?.status ?? "unknown"));
	const webhookAttempts = tally(accepted.map((j) => j.final?.webhook?.attempts?.length ?? "?"));
	const renderAttempts = tally(accepted.map((j) => j.final?.attempts ?? "?"));
	const errorCodes = tally(failed.map((j) => j.final?.error?.code ?? "?"));
	const pdfs = succeeded.map((j) => j.final?.document).filter(Boolean);

	const lines = [];
	const row = (label, value) => lines.push(`  ${label.padEnd(38)} ${value}`);
	lines.push("", "=== edge-pdf load summary ===");
	row("origin", `${origin}${stack ? ` (own local stack${opts.snapshot ? `, snapshot ${stack.cwd}` : ""})` : ""}`);
	row("jobs / concurrency", `${JOBS} / ${CONCURRENCY}`);
	row("submitted", JOBS);
	row("accepted (202)", accepted.length);
	row(
		"not accepted",
		`${JOBS - accepted.length}${JOBS - accepted.length ? ` (${fmtTally(tally(jobs.filter((j) => !j.id).map((j) => j.httpStatus ?? "request error")))})` : ""}`,
	);
	row("succeeded", succeeded.length);
	row("failed", `${failed.length}${failed.length ? ` (${fmtTally(errorCodes)})` : ""}`);
	row("other (canceled / not terminal)", `${other.length}${other.length ? ` (${fmtTally(tally(other.map(statusOf)))})` : ""}`);
	row("render attempts per job", fmtTally(renderAttempts));
	row("events received (all requests)", c.received);
	row("valid events", c.valid);
	row("distinct events (webhook-ids)", c.distinctIds);
	row("jobs with exactly one delivered event", exactlyOne.length);
	row("duplicate events (same webhook-id)", c.duplicates);
	row("jobs with >1 distinct webhook-id", multiDistinct.length);
	row("events with a bad signature", c.invalid);
	row("jobs with no event", noEvent.length);
	row("event type ≠ final job status", typeMismatch.length);
	row("events for jobs not in this run", foreign.length);
	row("service webhook.status", fmtTally(webhookStatuses));
	row("service webhook attempts per job", fmtTally(webhookAttempts));
	row(
		"PDFs: pages / bytes (min–max)",
		pdfs.length
			? `${Math.min(...pdfs.map((d) => d.pages))}–${Math.max(...pdfs.map((d) => d.pages))} / ${Math.min(...pdfs.map((d) => d.sizeBytes))}–${Math.max(...pdfs.map((d) => d.sizeBytes))}`
			: "-",
	);
	row(
		"submit phase",
		`${fmtS(submitMs)} (${(JOBS / (submitMs / 1000)).toFixed(1)} req/s; POST p50 ${percentile(
			jobs.map((j) => j.respondedAt - j.submittedAt),
			50,
		)} ms, p95 ${percentile(
			jobs.map((j) => j.respondedAt - j.submittedAt),
			95,
		)} ms)`,
	);
	row("wall time (first submit → last event)", fmtS(wallMs));
	row("throughput", `${(succeeded.length / (wallMs / 1000)).toFixed(2)} jobs/s (succeeded jobs / wall time)`);
	row(
		"submit→webhook latency",
		latencies.length
			? `p50 ${fmtS(percentile(latencies, 50))}, p95 ${fmtS(percentile(latencies, 95))}, max ${fmtS(Math.max(...latencies))} (${latencies.length} jobs)`
			: "-",
	);
	if (stack)
		row(
			"Worker reloads during the run",
			reloads.length ? `${reloads.length} (at ${reloads.map((at) => `t+${fmtS(at - t0)}`).join(", ")}; wrangler dev restarts on src/ edits)` : "0",
		);
	if (timedOut) row("TIMED OUT", `after ${fmtS(TIMEOUT_MS)}`);
	console.log(lines.join("\n"));

	// Details of whatever went wrong (first few of each).
	const show = (title, list, fmt) => {
		if (!list.length) return;
		console.log(`\n${title} (${list.length}${list.length > 10 ? ", first 10" : ""}):`);
		for (const x of list.slice(0, 10)) console.log(`  ${fmt(x)}`);
	};
	const jobLine = (j) =>
		`#${j.n} ${j.id} status=${statusOf(j)} attempts=${j.final?.attempts ?? "?"} error=${j.final?.error ? `${j.final.error.code}: ${j.final.error.message}` : "-"} webhook=${j.final?.webhook?.status ?? "?"} webhookAttempts=${JSON.stringify(j.final?.webhook?.attempts ?? null)}`;
	show(
		"not accepted",
		jobs.filter((j) => !j.id),
		(j) => `#${j.n}: ${j.submitError}`,
	);
	show("failed jobs", failed, jobLine);
	show("other jobs", other, jobLine);
	show(
		"jobs with no event",
		noEvent.map((x) => x.j),
		jobLine,
	);
	show(
		"jobs with more than one event",
		multi,
		({ j, evs }) => `${jobLine(j)}\n      events: ${evs.map((e) => `${e.webhookId} ${e.type} at t+${fmtS(e.arrivedAt - t0)}`).join("; ")}`,
	);
	show(
		"events with a bad signature",
		rx.events.filter((e) => !e.valid),
		(e) => `${e.method} ${e.path} webhook-id=${e.webhookId} job=${e.jobId} type=${e.type}: ${e.error}`,
	);
	show("event type ≠ final job status", typeMismatch, ({ j, evs }) => `${j.id} final=${statusOf(j)} events=${evs.map((e) => e.type).join(",")}`);

	stopFollow();
	if (stack) reportLog(stack.logFile);

	const ok = accepted.length === JOBS && succeeded.length === JOBS && exactlyOne.length === JOBS && c.invalid === 0 && !timedOut;
	console.log(`\nresult: ${ok ? "PASS" : "FAIL"}`);
	return ok ? 0 : 1;
}

/** Wrangler's own offline noise: its Request.cf lookup fails without internet (harmless locally). */
const BENIGN = [/getaddrinfo ENOTFOUND workers\.cloudflare\.com/, /Unable to fetch the `Request\.cf` object/, /at GetAddrInfoReqWrap/];

/** A digest of the wrangler log: the Worker's JSON lines by level and message, and error-looking lines. */
function reportLog(logFile) {
	let text = "";
	try {
		text = readFileSync(logFile, "utf8");
	} catch {
		return;
	}
	const lines = text.split("\n");
	const json = [];
	for (const l of lines) {
		const at = l.indexOf('{"level"');
		if (at < 0) continue;
		try {
			json.push(JSON.parse(l.slice(at)));
		} catch {}
	}
	const app = json.filter((j) => j.msg !== "request");
	console.log(`\nwrangler log: ${logFile} (${lines.length} lines, ${json.length} JSON log lines)`);
	const kinds = tally(
		app.map(
			(j) =>
				`${j.level} ${j.msg}${j.result !== undefined ? ` result=${j.result}` : ""}${j.delivery > 1 ? " delivery>1" : ""}${j.code ? ` code=${j.code}` : ""}`,
		),
	);
	for (const [k, v] of Object.entries(kinds)
		.sort((a, b) => b[1] - a[1])
		.slice(0, 25))
		console.log(`  ${String(v).padStart(6)} × ${k}`);
	const queues = {};
	for (const l of lines) {
		const m = /QUEUE (\S+) (\d+)\/(\d+) \((\d+)ms\)/.exec(l);
		if (!m) continue;
		queues[m[1]] ??= { batches: 0, messages: 0, notAcked: 0, ms: [] };
		const q = queues[m[1]];
		q.batches++;
		q.messages += Number(m[3]);
		q.notAcked += Number(m[3]) - Number(m[2]);
		q.ms.push(Number(m[4]));
	}
	for (const [name, q] of Object.entries(queues))
		console.log(
			`  queue ${name}: ${q.batches} batches, ${q.messages} messages (${(q.messages / q.batches).toFixed(1)}/batch), ${q.notAcked} not acked (retried), batch time p50 ${percentile(q.ms, 50)} ms, p95 ${percentile(q.ms, 95)} ms`,
		);
	const requests = json.filter((j) => j.msg === "request");
	console.log(`  requests by status: ${fmtTally(tally(requests.map((j) => `${j.method} ${j.status}`)))}`);
	const hits = lines.filter((l) => /"level":"(error|warn)"|✘|\[ERROR\]|Uncaught|Unhandled|exception|Error:/i.test(l) && !BENIGN.some((re) => re.test(l)));
	const benign = lines.filter((l) => BENIGN[0].test(l)).length;
	console.log(`  error/warn-looking lines: ${hits.length}${benign ? ` (plus ${benign} × wrangler's offline Request.cf lookup, harmless)` : ""}`);
	for (const l of hits.slice(0, 12)) console.log(`  | ${l.slice(0, 400)}`);
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(`load: ${error?.stack ?? error}`);
		process.exit(2);
	},
);
