#!/usr/bin/env node
// `npm run demo`: the whole flow on this machine, nothing to configure.
//   1. starts the local stack (wrangler dev: Durable Objects, Queues, R2, the system Chromium) and a
//      webhook receiver on 127.0.0.1 that verifies every event with the `standardwebhooks` package;
//   2. submits each example document (test/fixtures/*.html) asynchronously, with a webhook;
//   3. shows each job's progress from its live event stream (GET /v1/renders/{id}/events);
//   4. downloads each PDF from the signed link of its verified event into ./out/, checks it
//      against the event's sha256 and counts its pages with pdf.js;
//   5. prints a summary table, stops the stack, and exits 0 only if every job passed.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { getDocumentProxy } from "unpdf";
import { sseEvents } from "../src/public/static/sse.js";
import { REPO_ROOT, startLocalStack } from "./lib/local-stack.mjs";
import { fetchWebhookSecret, startReceiver } from "./lib/receiver.mjs";

const KEY = "dev_local_key";
const FIXTURES = join(REPO_ROOT, "test", "fixtures");
const OUT = join(process.cwd(), "out");
const JOB_TIMEOUT_MS = 180_000;
const started = performance.now();
const clock = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s`;

async function api(origin, path, init = {}) {
	const headers = { authorization: `Bearer ${KEY}`, ...init.headers };
	return fetch(`${origin}${path}`, { ...init, headers, signal: init.signal ?? AbortSignal.timeout(JOB_TIMEOUT_MS) });
}

/** Prints each status change and webhook attempt of the job as it happens; resolves with the last job object. */
async function follow(origin, doc) {
	const res = await api(origin, `/v1/renders/${doc.id}/events`);
	if (res.status !== 200) throw new Error(`events ${doc.id}: ${res.status} ${await res.text()}`);
	let job = null;
	for await (const frame of sseEvents(res.body)) {
		job = JSON.parse(frame.data);
		const detail = frame.event === "webhook" ? `webhook ${job.webhook.status} (HTTP ${job.webhook.attempts.at(-1)?.httpStatus ?? "—"})` : job.status;
		console.log(`${clock()}  ${doc.name.padEnd(14)} ${doc.id}  ${detail}`);
	}
	return job;
}

async function submit(origin, name, html, webhookUrl) {
	const res = await api(origin, "/v1/renders", {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({
			html,
			pdf: { format: "A4", printBackground: true },
			filename: name.replace(/\.html$/, ".pdf"),
			webhook: { url: webhookUrl },
			metadata: { fixture: name },
		}),
	});
	const body = await res.json();
	if (res.status !== 202) throw new Error(`POST /v1/renders (${name}): ${res.status} ${JSON.stringify(body)}`);
	return { name, id: body.id, submittedAt: Date.now() };
}

/** Waits for the job's signed event, saves the PDF its link points to, and checks it. */
async function collect(receiver, doc, job) {
	const arrived = await receiver.waitFor((r) => r.eventsFor(doc.id).length > 0, { timeoutMs: JOB_TIMEOUT_MS, intervalMs: 250 });
	const event = receiver.eventsFor(doc.id)[0] ?? receiver.events.find((e) => e.jobId === doc.id);
	const row = {
		document: doc.name,
		id: doc.id,
		status: job?.status ?? "?",
		pages: "—",
		size: "—",
		time: `${((Date.now() - doc.submittedAt) / 1000).toFixed(1)} s`,
		verified: false,
		ok: false,
	};
	if (!arrived || !event) return { ...row, note: "no verified event" };
	row.verified = event.valid;
	row.time = `${((event.arrivedAt - doc.submittedAt) / 1000).toFixed(1)} s`; // submitted → signed event received
	if (!event.documentUrl) return { ...row, note: `event ${event.type}` };
	const bytes = new Uint8Array(await (await fetch(event.documentUrl)).arrayBuffer());
	const file = join(OUT, doc.name.replace(/\.html$/, ".pdf"));
	writeFileSync(file, bytes);
	const pdf = await getDocumentProxy(bytes.slice());
	const sha256 = createHash("sha256").update(bytes).digest("hex");
	const matches = sha256 === job?.document?.sha256 && pdf.numPages === job?.document?.pages;
	return {
		...row,
		pages: String(pdf.numPages),
		size: `${(bytes.byteLength / 1024).toFixed(1)} KiB`,
		ok: row.verified && matches && job.status === "succeeded",
		file,
		note: matches ? "" : "sha256/pages differ from the job",
	};
}

function table(rows) {
	const columns = [
		["document", (r) => r.document],
		["id", (r) => r.id],
		["pages", (r) => r.pages],
		["size", (r) => r.size],
		["time", (r) => r.time],
		["event verified", (r) => (r.verified ? "yes" : "NO")],
		["result", (r) => (r.ok ? "ok" : `FAILED ${r.note ?? ""}`)],
	];
	const cells = [columns.map(([title]) => title), ...rows.map((r) => columns.map(([, get]) => String(get(r))))];
	const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
	const line = (values) => values.map((v, i) => v.padEnd(widths[i])).join("  ");
	return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

async function main() {
	const fixtures = readdirSync(FIXTURES)
		.filter((f) => f.endsWith(".html"))
		.sort();
	console.log(`demo: starting the local stack (wrangler dev + Chromium)…`);
	const stack = await startLocalStack();
	let receiver;
	try {
		receiver = await startReceiver({ secret: await fetchWebhookSecret(stack.origin, KEY) });
		console.log(`demo: stack on ${stack.origin} (playground: ${stack.origin}/), webhook receiver on ${receiver.url}`);
		mkdirSync(OUT, { recursive: true });
		const docs = await Promise.all(fixtures.map((name) => submit(stack.origin, name, readFileSync(join(FIXTURES, name), "utf8"), receiver.url)));
		for (const doc of docs) console.log(`${clock()}  ${doc.name.padEnd(14)} ${doc.id}  submitted`);
		const rows = await Promise.all(docs.map(async (doc) => collect(receiver, doc, await follow(stack.origin, doc))));
		console.log(`\n${table(rows)}\n`);
		const failed = rows.filter((r) => !r.ok);
		if (failed.length) {
			console.error(`demo: ${failed.length} of ${rows.length} failed (stack log: ${stack.logFile})`);
			return 1;
		}
		console.log(`demo: ${rows.length} PDFs in ${OUT}/ (${rows.map((r) => basename(r.file)).join(", ")}), every event verified with standardwebhooks.`);
		return 0;
	} finally {
		await receiver?.close();
		await stack.stop();
	}
}

main().then(
	(code) => process.exit(code),
	(err) => {
		console.error(`demo: ${err instanceof Error ? err.message : err}`);
		process.exit(1);
	},
);
