// Fault injection on the real render path: the consumer runs against the real local Browser
// Rendering and R2, through wrappers that fail the way the platform does.
import { env } from "cloudflare:workers";
import { createExecutionContext, runDurableObjectAlarm, waitOnExecutionContext } from "cloudflare:test";
import worker from "../src/index";
import { describe, expect, it } from "vitest";
import { api, BASE, getJob, waitForJob } from "./support/worker/api";
import { TEST_KEYS } from "./support/common/bindings";
import { expectError } from "./support/worker/errors";
import { deliver, editRecord, storedJob } from "./support/worker/jobs";
import { storedDocuments, storedPdf } from "./support/worker/pdf";
import { sha256Hex } from "../src/security/crypto";
import { browserBinding, relayedBrowser, requestPath, type FetchLike } from "./support/worker/browser-binding";
import { captureLogs } from "./support/worker/logs";
import { SharedBrowser } from "../src/render/browser";

/** Browser Rendering that answers 429 to the next `failures` launches and lists no reusable session. */
function rateLimitedBrowser(failures: number): Env["BROWSER"] {
	let left = failures;
	const fetch: FetchLike = async (input, init) => {
		const path = requestPath(input);
		if (path === "/v1/sessions") return Response.json({ sessions: [] });
		// A launch: POST /v1/devtools/browser (connecting to a session adds its id to the path).
		const method = init?.method ?? (input instanceof Request ? input.method : "GET");
		if (path === "/v1/devtools/browser" && method === "POST" && left > 0) {
			left -= 1;
			return new Response("Rate limit exceeded: too many browsers launched", { status: 429 });
		}
		return env.BROWSER.fetch(input, init);
	};
	return browserBinding(fetch);
}

/** The R2 bucket, with the next `failures` calls of `method` on keys under `prefix` throwing. */
function flakyBucket(method: "put", prefix: string, failures: number, error = new Error("R2 internal error (10001)")): R2Bucket {
	let left = failures;
	return new Proxy(env.DOCUMENTS, {
		get(target, prop) {
			const value = Reflect.get(target, prop) as unknown;
			if (typeof value !== "function") return value;
			return (...args: unknown[]) => {
				if (prop === method && String(args[0]).startsWith(prefix) && left > 0) {
					left -= 1;
					return Promise.reject(error);
				}
				return (value as (...a: unknown[]) => unknown).apply(target, args);
			};
		},
	});
}

const HTML = "<h1>fault tolerant</h1>";

/** Browser Rendering whose session list never answers and whose launches are refused. */
function hangingBrowser(): Env["BROWSER"] {
	const fetch: FetchLike = async (input) => {
		if (requestPath(input) === "/v1/sessions") return new Promise<Response>(() => undefined);
		return new Response("Rate limit exceeded", { status: 429 });
	};
	return browserBinding(fetch);
}

/**
 * Browser Rendering whose DevTools connections drop the moment a page starts printing, as when the
 * session dies mid-job; counts the drops and the connections opened.
 */
function dyingBrowser(): { binding: Env["BROWSER"]; drops: () => number } {
	let drops = 0;
	const binding = relayedBrowser({
		toBrowser: (message) => {
			if (!message.includes('"method":"Page.printToPDF"')) return { pass: message };
			drops += 1;
			return { drop: true };
		},
	});
	return { binding, drops: () => drops };
}

/** The real binding, listing no session to join (so each browser is launched for us), counting the DevTools connections. */
function countingBrowser(): { binding: Env["BROWSER"]; connections: () => number } {
	let connections = 0;
	const fetch: FetchLike = async (input, init) => {
		if (requestPath(input) === "/v1/sessions") return Response.json({ sessions: [] });
		const response = await env.BROWSER.fetch(input, init);
		if (response.webSocket) connections += 1;
		return response;
	};
	return { binding: browserBinding(fetch), connections: () => connections };
}

describe("faults lose no job", () => {
	it("a session that dies mid-print fails its batch's attempts as transient; each job is retried and succeeds once", async () => {
		const jobs = [await storedJob({}, "<h1>first survivor</h1>"), await storedJob({}, "<h1>second survivor</h1>")].map((s) => s.job);
		const dying = dyingBrowser();
		const logs = captureLogs();
		let first: Awaited<ReturnType<typeof deliver>>;
		try {
			first = await deliver(
				"edge-pdf-render",
				jobs.map((j) => ({ jobId: j.id })),
				{ ...env, BROWSER: dying.binding },
			);
		} finally {
			logs.restore();
		}
		expect(dying.drops()).toBeGreaterThanOrEqual(1);
		expect(first.retryMessages).toHaveLength(2);
		expect(first.delays).toEqual([2, 2]);
		// Each job's attempt failed as BROWSER_UNAVAILABLE, a transient failure.
		for (const j of jobs) {
			expect(logs.records().find((r) => r.msg === "render attempt failed" && r.jobId === j.id)).toMatchObject({ code: "BROWSER_UNAVAILABLE", transient: true });
		}
		for (const j of jobs) expect(await getJob(j.id)).toMatchObject({ status: "queued", attempts: 1, document: null });

		const second = await deliver(
			"edge-pdf-render",
			jobs.map((j) => ({ jobId: j.id })),
		);
		expect(second.explicitAcks).toHaveLength(2);
		for (const [i, j] of jobs.entries()) {
			expect(await getJob(j.id)).toMatchObject({ status: "succeeded", attempts: 2 });
			expect((await storedPdf(j.id)).facts.text).toContain(i === 0 ? "first survivor" : "second survivor");
		}
	});

	it("a rate-limited browser launch is retried with backoff and the job then succeeds", async () => {
		const { job } = await storedJob({}, HTML);
		const first = await deliver("edge-pdf-render", [{ jobId: job.id }], { ...env, BROWSER: rateLimitedBrowser(1) });
		expect(first.retryMessages).toHaveLength(1);
		// The documented backoff: 2 s after the first attempt.
		expect(first.delays).toEqual([2]);
		const waiting = await getJob(job.id);
		expect(waiting).toMatchObject({ status: "queued", attempts: 1, error: null });

		const second = await deliver("edge-pdf-render", [{ jobId: job.id }]);
		expect(second.explicitAcks).toHaveLength(1);
		expect(await getJob(job.id)).toMatchObject({ status: "succeeded", attempts: 2 });
	});

	it("a browser that stays unavailable fails the job after RENDER_MAX_ATTEMPTS, never leaving it queued", async () => {
		const { job } = await storedJob({}, HTML);
		const browser = rateLimitedBrowser(10);
		// Backoff 2 s, then 4 s; the third attempt is the last.
		for (const delay of [2, 4]) expect((await deliver("edge-pdf-render", [{ jobId: job.id }], { ...env, BROWSER: browser })).delays).toEqual([delay]);
		expect((await deliver("edge-pdf-render", [{ jobId: job.id }], { ...env, BROWSER: browser })).explicitAcks).toHaveLength(1);
		const done = await getJob(job.id);
		expect(done.status).toBe("failed");
		expect(done.attempts).toBe(3);
		expect(done.error?.code).toBe("BROWSER_UNAVAILABLE");
	});

	it("a synchronous render whose browser is unavailable answers 503 BROWSER_UNAVAILABLE, and the queue finishes the job", async () => {
		const request = new Request(`${BASE}/v1/renders`, {
			method: "POST",
			headers: { authorization: `Bearer ${TEST_KEYS.acme}`, "content-type": "application/json" },
			body: JSON.stringify({ html: "<h1>sync, then queued</h1>", async: false }),
		});
		const ctx = createExecutionContext();
		const res = await worker.fetch(request, { ...env, BROWSER: rateLimitedBrowser(1) }, ctx);
		await waitOnExecutionContext(ctx);
		const id = res.headers.get("render-id")!;
		expect((await expectError(res, 503, "BROWSER_UNAVAILABLE")).message).toContain(id);
		// Handed to the render queue, the job renders with the real browser on its second attempt.
		expect(await waitForJob(id)).toMatchObject({ status: "succeeded", attempts: 2 });
	});

	it("an endpoint that stops answering fails the attempt in bounded time instead of hanging the queue", async () => {
		const { job } = await storedJob({}, HTML);
		// The bound is the test's own timeout: a hanging session list would never let deliver() return.
		const result = await deliver("edge-pdf-render", [{ jobId: job.id }], { ...env, BROWSER: hangingBrowser() });
		expect(result.retryMessages).toHaveLength(1);
		expect(await getJob(job.id)).toMatchObject({ status: "queued", attempts: 1 });
	}, 45_000);

	it("a render whose sources cannot all be stashed answers 503 and leaves none of them in R2", async () => {
		const listSources = async () => (await env.DOCUMENTS.list({ prefix: "sources/globex/" })).objects.map((o) => o.key);
		const before = await listSources();
		const parts = ["<p>one</p>", "<p>two</p>", "<p>three</p>"].map((html) => ({ html }));
		const request = new Request(`${BASE}/v1/renders`, {
			method: "POST",
			headers: { authorization: `Bearer ${TEST_KEYS.globex}`, "content-type": "application/json" },
			body: JSON.stringify({ parts }),
		});
		// The first of the three puts fails; the other two land, and must be taken back.
		const ctx = createExecutionContext();
		const res = await worker.fetch(request, { ...env, DOCUMENTS: flakyBucket("put", "sources/globex/", 1) }, ctx);
		await waitOnExecutionContext(ctx);
		await expectError(res, 503, "STORAGE_FAILED");
		expect(await listSources()).toEqual(before);
		expect(((await (await api("/v1/renders", { key: TEST_KEYS.globex })).json()) as { data: unknown[] }).data).toEqual([]);
	});

	it("a render whose attachments cannot all be stashed answers 503 and leaves none of them in R2", async () => {
		const listAssets = async () => (await env.DOCUMENTS.list({ prefix: "assets/globex/" })).objects.map((o) => o.key);
		const before = await listAssets();
		const attachments = ["a.txt", "b.txt", "c.txt"].map((name) => ({ name, contentType: "text/plain", content: btoa(name) }));
		const request = new Request(`${BASE}/v1/renders`, {
			method: "POST",
			headers: { authorization: `Bearer ${TEST_KEYS.globex}`, "content-type": "application/json" },
			body: JSON.stringify({ html: "<p>x</p>", pdf: { attachments } }),
		});
		// The first of the three puts fails; the other two land, and must be taken back.
		const ctx = createExecutionContext();
		const res = await worker.fetch(request, { ...env, DOCUMENTS: flakyBucket("put", "assets/globex/", 1) }, ctx);
		await waitOnExecutionContext(ctx);
		await expectError(res, 503, "STORAGE_FAILED");
		expect(await listAssets()).toEqual(before);
	});

	it("an R2 put that fails once is retried, and exactly one document is stored", async () => {
		const { job } = await storedJob({}, HTML);
		const first = await deliver("edge-pdf-render", [{ jobId: job.id }], { ...env, DOCUMENTS: flakyBucket("put", "documents/", 1) });
		expect(first.retryMessages).toHaveLength(1);
		expect(await getJob(job.id)).toMatchObject({ status: "queued", attempts: 1 });
		expect(await storedDocuments(job.id)).toHaveLength(0);

		await deliver("edge-pdf-render", [{ jobId: job.id }]);
		const done = await getJob(job.id);
		expect(done.status).toBe("succeeded");
		const { bytes, facts } = await storedPdf(job.id);
		expect(done.document?.sha256).toBe(await sha256Hex(bytes));
		expect(facts.text).toContain("fault tolerant");
	});

	it("an unexpected exception mid-render is INTERNAL and transient: retried with backoff, then failed with its code", async () => {
		const { job } = await storedJob({}, HTML);
		// The source object's text() throws a plain TypeError: nothing classifies it but the fallback.
		const broken = new Proxy(env.DOCUMENTS, {
			get(target, prop) {
				const value = Reflect.get(target, prop) as unknown;
				if (prop !== "get" || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
				return async (key: string) => {
					const object = await (value as R2Bucket["get"]).call(target, key);
					if (!object || !key.startsWith("sources/")) return object;
					return { text: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'length')")) };
				};
			},
		});
		const faulty = { ...env, DOCUMENTS: broken };
		for (const delay of [2, 4]) expect((await deliver("edge-pdf-render", [{ jobId: job.id }], faulty)).delays).toEqual([delay]);
		expect((await deliver("edge-pdf-render", [{ jobId: job.id }], faulty)).explicitAcks).toHaveLength(1);
		const done = await getJob(job.id);
		expect(done).toMatchObject({ status: "failed", attempts: 3 });
		expect(done.error?.code).toBe("INTERNAL");
		expect(done.error?.message).toContain("Cannot read properties of undefined");
	});

	it("a discarded browser is not handed to the next job: the next one connects afresh", async () => {
		const counting = countingBrowser();
		const shared = new SharedBrowser({ ...env, BROWSER: counting.binding });
		try {
			const first = await shared.get();
			expect(counting.connections()).toBe(1);
			shared.discard();
			const second = await shared.get();
			expect(second).not.toBe(first);
			expect(counting.connections()).toBe(2);
		} finally {
			await shared.release();
		}
	});

	it("a consumer that crashed mid-render is replaced by the watchdog, and the job succeeds", async () => {
		const { job, stub } = await storedJob({}, HTML);
		// The claim is taken and never reported back, as when the consumer's isolate dies.
		expect((await stub.claim()).kind).toBe("render");
		await editRecord(stub, (r) => {
			r.leaseUntil = Date.now() - 1;
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		const done = await waitForJob(job.id);
		expect(done).toMatchObject({ status: "succeeded", attempts: 2 });
	});

	it("the same message delivered twice at once renders once and stores one document", async () => {
		const { job } = await storedJob({}, HTML);
		const result = await deliver("edge-pdf-render", [{ jobId: job.id }, { jobId: job.id }]);
		expect(result.explicitAcks).toHaveLength(1);
		expect(result.retryMessages).toHaveLength(1);
		// The retried copy arrives after the lease and finds the job finished.
		const again = await deliver("edge-pdf-render", [{ jobId: job.id }]);
		expect(again.explicitAcks).toHaveLength(1);
		expect(await getJob(job.id)).toMatchObject({ status: "succeeded", attempts: 1 });
		expect(await storedDocuments(job.id)).toHaveLength(1);
	});
});
