// Containment: hostile documents rendered in one batch, in one browser session, beside an ordinary
// job. Each hostile one ends in its own code within timeoutMs + 5 s per attempt; the ordinary job
// succeeds on its first attempt every time. Real local Browser Rendering, production address policy.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getJob } from "./support/api";
import { deliver, storedJob } from "./support/jobs";
import { jobStub } from "../src/jobs/ids";
import type { JobRecord } from "../src/jobs/record";
import { readPdf } from "./support/pdf";

const TIMEOUT_MS = 3000;
/** The whole battery renders at once, so its tenant's cap must not hold any of it back. */
const WIDE_CAP: Env = { ...env, TENANT_MAX_CONCURRENT_RENDERS: "32" };
/** How far past its deadline an attempt may end: the context is force-closed within ~2 s. */
const SLACK_MS = 5000;

interface Hostile {
	name: string;
	html: string;
	page?: Record<string, unknown>;
	pdf?: Record<string, unknown>;
	/** What the job is after its first attempt: failed for good, queued for one more try, or printed. */
	first: { status: JobRecord["status"]; code?: string; text?: string };
	/** After the second delivery, for the ones that get one. */
	second?: { status: JobRecord["status"]; code: string };
}

const BATTERY: Hostile[] = [
	{
		name: "infinite loop",
		html: "<p>spin</p><script>while (true) {}</script>",
		first: { status: "queued" },
		second: { status: "failed", code: "RENDER_TIMEOUT" },
	},
	{ name: "alert", html: "<script>alert(1)</script><p>after alert</p>", first: { status: "succeeded", text: "after alert" } },
	{
		name: "confirm",
		html: "<script>document.title = String(confirm('ok?'))</script><p>after confirm</p>",
		first: { status: "succeeded", text: "after confirm" },
	},
	{ name: "prompt", html: "<script>prompt('name?')</script><p>after prompt</p>", first: { status: "succeeded", text: "after prompt" } },
	{
		name: "alert from a fresh frame's window",
		html: "<iframe id=f></iframe><script>document.getElementById('f').contentWindow.alert('x')</script><p>after frame alert</p>",
		first: { status: "succeeded", text: "after frame alert" },
	},
	{
		name: "beforeunload on a page that reloads itself",
		html: "<script>onbeforeunload = (e) => { e.preventDefault(); e.returnValue = 'stay'; }; setTimeout(() => location.reload(), 10)</script><p>after beforeunload</p>",
		page: { delayMs: 300 },
		first: { status: "succeeded", text: "after beforeunload" },
	},
	{ name: "window.print()", html: "<script>window.print()</script><p>after print</p>", first: { status: "succeeded", text: "after print" } },
	{
		name: "popup storm",
		html: "<script>for (let i = 0; i < 40; i++) window.open('about:blank', '_blank')</script><p>after popups</p>",
		first: { status: "succeeded", text: "after popups" },
	},
	{
		name: "memory bomb",
		html: "<script>const hoard = []; for (;;) hoard.push(new Array(1e6).fill(Math.random()))</script>",
		page: { timeoutMs: 20_000 },
		first: { status: "queued" },
		second: { status: "failed", code: "PAGE_CRASHED" },
	},
	{
		name: "navigation to a refused address after load",
		html: "<p>first</p><script>onload = () => setTimeout(() => { location.href = 'http://169.254.169.254/latest/meta-data/' }, 10)</script>",
		page: { delayMs: 1500, timeoutMs: 10_000 },
		first: { status: "succeeded", text: "first" },
	},
	{
		name: "meta refresh to a refused address",
		html: '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/"><p>first</p>',
		page: { delayMs: 1500, timeoutMs: 10_000 },
		first: { status: "succeeded", text: "first" },
	},
	{ name: "pageRanges past the last page", html: "<p>one page</p>", pdf: { pageRanges: "50" }, first: { status: "failed", code: "INVALID_REQUEST" } },
];

/** The battery's own tenant: its page faults move it to the slow lane, which must not touch other tests' tenants. */
const HOSTILE_TENANT = "hostile";

async function readJob(id: string): Promise<JobRecord> {
	const job = await jobStub(env, id).read(HOSTILE_TENANT);
	if (!job) throw new Error(`no job ${id}`);
	return job;
}

async function storeHostile(h: Hostile, tenantId: string) {
	const { job } = await storedJob({ tenantId, page: { timeoutMs: TIMEOUT_MS, ...h.page }, pdf: { ...h.pdf } }, h.html);
	return job;
}

async function pdfText(job: { id: string; tenantId?: string }): Promise<string> {
	const stored = await env.DOCUMENTS.list({ prefix: `documents/${job.tenantId ?? "acme"}/${job.id}` });
	const object = await env.DOCUMENTS.get(stored.objects[0]!.key);
	return (await readPdf(new Uint8Array(await object!.arrayBuffer()))).text;
}

describe("a hostile document hurts only its own job", () => {
	it("each ends in its own code within its budget, while an ordinary job in the same batch succeeds first time", async () => {
		const hostile = await Promise.all(BATTERY.map((h) => storeHostile(h, HOSTILE_TENANT)));
		for (const round of [1, 2] as const) {
			const { job: ordinary } = await storedJob({ tenantId: HOSTILE_TENANT }, `<h1>ordinary job, round ${round}</h1>`);
			const todo = round === 1 ? hostile : hostile.filter((_, i) => BATTERY[i]!.second);
			const started = Date.now();
			// Round 2 runs where the queue sends it: the page faults of round 1 moved this tenant to the slow lane.
			const queue = round === 1 ? "edge-pdf-render" : "edge-pdf-render-slow";
			const batch = await deliver(queue, [...todo.map((j) => ({ jobId: j.id })), { jobId: ordinary.id }], WIDE_CAP);
			const longest = Math.max(...todo.map((j) => j.page.timeoutMs ?? TIMEOUT_MS));
			expect(Date.now() - started, "an attempt outlived its deadline").toBeLessThan(longest + SLACK_MS);
			expect(batch.retryMessages.length + batch.explicitAcks.length).toBe(todo.length + 1);

			const done = await readJob(ordinary.id);
			expect(done, JSON.stringify(done.error)).toMatchObject({ status: "succeeded", attempts: 1 });
			expect(await pdfText(done)).toContain(`ordinary job, round ${round}`);

			for (const [i, h] of BATTERY.entries()) {
				if (round === 2 && !h.second) continue;
				const expected = round === 1 ? h.first : h.second!;
				const job = await readJob(hostile[i]!.id);
				expect({ name: h.name, status: job.status, code: job.error?.code }).toEqual({
					name: h.name,
					status: expected.status,
					code: "code" in expected ? expected.code : undefined,
				});
				if (round === 1 && h.first.text) expect(await pdfText(job), h.name).toContain(h.first.text);
			}
		}
	});

	it("a pageRanges error names the field and fails at once, without retries", async () => {
		const { job } = await storedJob({ pdf: { pageRanges: "50" }, page: { timeoutMs: TIMEOUT_MS } }, "<p>one page</p>");
		const batch = await deliver("edge-pdf-render", [{ jobId: job.id }], WIDE_CAP);
		expect(batch.explicitAcks).toHaveLength(1);
		const failed = await getJob(job.id);
		expect(failed).toMatchObject({ status: "failed", attempts: 1, error: { code: "INVALID_REQUEST" } });
		expect(failed.error?.message).toContain("pdf.pageRanges");
	});
});
