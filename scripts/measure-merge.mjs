#!/usr/bin/env node
// `npm run measure:merge [-- --cases links:40000x3,text:200x2 --repeat 2 --out merge.json]`
//
// What a merge costs the Worker runtime, measured from outside: starts the local stack (wrangler
// dev → workerd + Chromium), serves dense pages from a local server, and renders them as merged
// `parts` one job at a time while it watches the workerd process in /proc: VmRSS sampled every
// 20 ms and VmHWM (the kernel's own peak, reset through clear_refs before each job). Each case is
// also rendered once as a single PDF (streamed to R2, no merge), so the merge's own share shows.
//
// A case is kind:n×parts:
//   links:N/K N links, K a page (each link one annotation object in Chrome's PDF)
//   text:P    P pages of dense, varied text (bytes in content streams, few objects)
//   image:M   one page with one noise image of about M MiB (bytes in one image stream)
//   mix:M/N   a noise image of about M MiB and N links, in one part
//   headings:N N headings printed with an outline (structure elements, outline items, named
//             destinations: what the merge carries over besides pages)
// Loopback only; one job at a time; every wait is bounded. Not run in CI.
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { deflateSync } from "node:zlib";
import { processTree, startLocalStack } from "./lib/local-stack.mjs";

const { values: opts } = parseArgs({
	options: {
		cases: { type: "string", default: "links:10000x1,links:40000x1,links:40000x2,links:40000x3,text:200x1,text:200x3,image:8x1,image:8x3" },
		repeat: { type: "string", default: "1" },
		modes: { type: "string", default: "single,merge" },
		out: { type: "string" },
	},
});
const KEY = "dev_local_key";
const JOB_TIMEOUT_MS = 300_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const MiB = 1024 * 1024;

// ---- dense pages ---------------------------------------------------------------------------------

/**
 * n links, `perPage` to a page, each a 4 px cell. Chromium's time to print links grows faster than
 * their number on one page (10,000 on a page: 17 s; 20,000: 89 s; 40,000 does not finish within the
 * longest page.timeoutMs, 120 s), so dense parts spread them: 2,000 a page prints 40,000 in ~25 s.
 */
function linksPage(n, perPage) {
	const pages = [];
	for (let q = 0; q * perPage < n; q++) {
		const links = [];
		for (let i = q * perPage; i < Math.min(n, (q + 1) * perPage); i++) links.push(`<a href="https://example.com/${i}"></a>`);
		pages.push(`<div>${links.join("")}</div>`);
	}
	return `<!doctype html><style>@page{size:A4;margin:0}body{margin:0;line-height:0;font-size:0}div{break-after:page}a{display:inline-block;width:4px;height:4px}</style><body>${pages.join("")}`;
}

/** A deterministic pseudo-random generator (xorshift32), so every run prints the same bytes. */
function xorshift(seed) {
	let x = seed >>> 0 || 1;
	return () => {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		return x >>> 0;
	};
}

/** P pages of varied words: content streams that compress poorly, with few objects per page. */
function textPage(pages) {
	const next = xorshift(pages);
	const word = () => Array.from({ length: 3 + (next() % 6) }, () => String.fromCharCode(97 + (next() % 26))).join("");
	const paras = [];
	for (let p = 0; p < pages; p++) paras.push(`<p>${Array.from({ length: 900 }, word).join(" ")}</p>`);
	return `<!doctype html><style>@page{size:A4;margin:10mm}p{font:7pt/1.05 serif;margin:0;break-after:page}</style>${paras.join("")}`;
}

function crc32(bytes) {
	let c = ~0;
	for (const b of bytes) {
		c ^= b;
		for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
	}
	return ~c >>> 0;
}

function pngChunk(type, data) {
	const out = Buffer.alloc(12 + data.length);
	out.writeUInt32BE(data.length, 0);
	out.write(type, 4, "latin1");
	data.copy(out, 8);
	out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
	return out;
}

/** An RGB PNG of noise, about `mib` MiB of pixels that no compression shrinks. */
function noisePng(mib) {
	const side = Math.round(Math.sqrt((mib * MiB) / 3));
	const next = xorshift(side);
	const raw = Buffer.alloc((side * 3 + 1) * side);
	for (let i = 0; i < raw.length; i += 4) raw.writeUInt32LE(next(), Math.min(i, raw.length - 4));
	for (let y = 0; y < side; y++) raw[y * (side * 3 + 1)] = 0;
	const header = Buffer.alloc(13);
	header.writeUInt32BE(side, 0);
	header.writeUInt32BE(side, 4);
	header[8] = 8;
	header[9] = 2;
	const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
	return Buffer.concat([signature, pngChunk("IHDR", header), pngChunk("IDAT", deflateSync(raw, { level: 1 })), pngChunk("IEND", Buffer.alloc(0))]);
}

function imagePage(mib, part) {
	return `<!doctype html><style>@page{size:A4;margin:0}body{margin:0}img{width:100%}</style><img src="/noise/${mib}/${part}.png">`;
}

/** n small headings on as few pages as they fit: Chrome writes a structure element and an outline item for each. */
function headingsPage(n) {
	const items = Array.from({ length: n }, (_, i) => `<h2 id="h${i}">h${i}</h2>`).join("");
	return `<!doctype html><html lang="en"><title>headings</title><style>h2{font-size:6px;line-height:6px;margin:0}</style><body>${items}`;
}

/** Both at once: a noise image of `mib` MiB, then n links, 1,000 a page. */
function mixedPage(mib, n) {
	const links = linksPage(n, 1000).replace(/^.*?<body>/, "");
	return `<!doctype html><style>@page{size:A4;margin:0}body{margin:0;line-height:0;font-size:0}div{break-after:page}a{display:inline-block;width:4px;height:4px}img{width:100%;break-after:page}</style><body><img src="/noise/${mib}/0.png">${links}`;
}

/** Serves the pages on 127.0.0.1 (the stack runs with private networks allowed). */
async function startPages() {
	const pngs = new Map();
	const server = createServer((req, res) => {
		const url = new URL(req.url ?? "/", "http://x");
		const [, kind, a, b] = url.pathname.split("/");
		let body;
		let type = "text/html";
		if (kind === "links") body = linksPage(Number(a), Number(b) || 2000);
		else if (kind === "text") body = textPage(Number(a));
		else if (kind === "image") body = imagePage(Number(a), Number(b));
		else if (kind === "mix") body = mixedPage(Number(a), Number(b));
		else if (kind === "headings") body = headingsPage(Number(a));
		else if (kind === "noise") {
			const key = Number.parseFloat(a);
			if (!pngs.has(key)) pngs.set(key, noisePng(key));
			body = pngs.get(key);
			type = "image/png";
		} else {
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(body);
	});
	await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
	return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

// ---- workerd's memory ----------------------------------------------------------------------------

/**
 * The workerd that runs the Worker. wrangler dev starts two: a small one that proxies the dev port
 * (`--socket-addr=entry=localhost:<port>`) and the runtime itself, started with an inspector.
 */
function workerdPid(stackPid) {
	const runtimes = processTree(stackPid).filter(({ pid }) => {
		try {
			const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
			return argv[0].endsWith("workerd") && argv.some((arg) => arg.startsWith("--inspector-addr"));
		} catch {
			return false;
		}
	});
	if (runtimes.length !== 1) throw new Error(`expected one workerd runtime under the stack, found ${runtimes.length}`);
	return runtimes[0].pid;
}

function status(pid, field) {
	try {
		return Number(readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1] ?? 0) / 1024;
	} catch {
		return 0;
	}
}

/** Resets the kernel's peak-RSS mark (VmHWM) of the process to its current RSS. */
function resetPeak(pid) {
	try {
		writeFileSync(`/proc/${pid}/clear_refs`, "5");
		return true;
	} catch {
		return false;
	}
}

// ---- jobs ----------------------------------------------------------------------------------------

async function api(origin, path, init = {}) {
	const res = await fetch(`${origin}${path}`, {
		...init,
		headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", ...init.headers },
	});
	return { status: res.status, body: await res.json() };
}

async function runJob(origin, body) {
	const posted = await api(origin, "/v1/renders", { method: "POST", body: JSON.stringify(body) });
	if (posted.status !== 202) throw new Error(`POST answered ${posted.status}: ${JSON.stringify(posted.body)}`);
	const deadline = Date.now() + JOB_TIMEOUT_MS;
	while (Date.now() < deadline) {
		const { body: job } = await api(origin, `/v1/renders/${posted.body.id}`);
		if (["succeeded", "failed", "canceled"].includes(job.status)) return job;
		await sleep(200);
	}
	throw new Error(`job ${posted.body.id} did not end within ${JOB_TIMEOUT_MS / 1000} s`);
}

/** Runs one job while watching workerd: its RSS before, its peak RSS (sampled and HWM) during. */
async function measured(stackPid, origin, body) {
	const pid = workerdPid(stackPid);
	// Let the warm-up's garbage settle first.
	await sleep(3_000);
	const hwmReset = resetPeak(pid);
	const before = status(pid, "VmRSS");
	let sampled = before;
	const sampler = setInterval(() => (sampled = Math.max(sampled, status(pid, "VmRSS"))), 20);
	const started = Date.now();
	try {
		const job = await runJob(origin, body);
		return {
			status: job.status,
			error: job.error?.message,
			sizeMiB: (job.document?.sizeBytes ?? 0) / MiB,
			pages: job.document?.pages,
			ms: Date.now() - started,
			// From the last part printed to the merged PDF stored: the merge, finishing and the upload.
			finishMs: job.report?.phases?.finishMs,
			beforeMiB: before,
			peakMiB: Math.max(sampled, hwmReset ? status(pid, "VmHWM") : 0),
		};
	} finally {
		clearInterval(sampler);
	}
}

/** kind:n[/perPage]xparts, e.g. links:40000/2000x3. */
function parseCase(spec) {
	const [kind, rest] = spec.split(":");
	const [size, parts] = rest.split("x");
	const [n, per] = size.split("/").map(Number);
	return { spec, kind, n, per, parts: Number(parts) || 1 };
}

function partUrl(origin, c, i) {
	if (c.kind === "image") return `${origin}/image/${c.n}/${i}`;
	if (c.kind === "mix") return `${origin}/mix/${c.n}/${c.per}`;
	return c.per ? `${origin}/${c.kind}/${c.n}/${c.per}` : `${origin}/${c.kind}/${c.n}`;
}

/** A fresh stack for one measurement: V8 reuses the heap a previous job left, which hides growth. */
async function measureFresh(pages, c, mode) {
	const stack = await startLocalStack({ snapshot: true });
	try {
		const pid = workerdPid(stack.pid);
		// Warm up: one small merge, so code and the browser session are loaded before measuring.
		await runJob(stack.origin, { parts: [{ html: "<p>a</p>" }, { html: "<p>b</p>" }] });
		const body =
			mode === "single"
				? { url: partUrl(pages.origin, c, 0), page: { timeoutMs: 120_000 } }
				: { parts: Array.from({ length: c.parts }, (_, i) => ({ url: partUrl(pages.origin, c, i) })), page: { timeoutMs: 120_000 } };
		if (c.kind === "headings") body.pdf = { outline: true };
		return { pid, ...(await measured(stack.pid, stack.origin, body)) };
	} finally {
		await stack.stop();
	}
}

async function main() {
	const pages = await startPages();
	const rows = [];
	console.log("case                 mode   | status     pages   MiB   time  finish | idle RSS  peak   growth");
	try {
		for (const c of opts.cases.split(",").map(parseCase)) {
			for (let r = 0; r < Number(opts.repeat); r++) {
				for (const mode of opts.modes.split(",")) {
					const m = await measureFresh(pages, c, mode);
					const row = { case: c.spec, mode, ...m, growthMiB: m.peakMiB - m.beforeMiB };
					rows.push(row);
					console.log(
						[
							c.spec.padEnd(20),
							mode.padEnd(6),
							"|",
							m.status.padEnd(10),
							String(m.pages ?? "-").padStart(5),
							m.sizeMiB.toFixed(1).padStart(6),
							`${(m.ms / 1000).toFixed(1)}s`.padStart(6),
							`${m.finishMs ?? "-"}ms`.padStart(7),
							" |",
							m.beforeMiB.toFixed(0).padStart(7),
							m.peakMiB.toFixed(0).padStart(6),
							`+${row.growthMiB.toFixed(0)}`.padStart(7),
							m.error ? ` ${m.error}` : "",
						].join(" "),
					);
				}
			}
		}
	} finally {
		await pages.close();
	}
	if (opts.out) writeFileSync(opts.out, JSON.stringify(rows, null, 2));
}

await main();
