// Delivery to the customer's storage, end to end: real renders, the real render queue, and a local
// S3 server that verifies every SigV4 signature (test/support/node/s3-server.ts).
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { DELIVERY_LEASE_MARGIN_MS, DELIVERY_TIMEOUT_MS } from "../../src/destinations/state";
import type { Job } from "../../src/schemas/job";
import { sha256Hex } from "../../src/security/crypto";
import { documentKey } from "../../src/storage/documents";
import { tenantStub } from "../../src/tenants/tenant-object";
import type { TenantObject } from "../../src/tenants/tenant-object";
import { api, download, postRender, renderToEnd, waitForJob, waitForWebhook } from "../support/worker/api";
import { TEST_KEYS } from "../support/common/bindings";
import { readRecord, storedJob } from "../support/worker/jobs";
import { captureLogs } from "../support/worker/logs";
import { receiver } from "../support/worker/receiver";
import { bucketName, destinationBody, presignedPut, S3_TEST_CREDENTIALS, s3Origin, s3Requests, saveDestination, storedObjects } from "../support/worker/s3";

const HTML = "<!doctype html><title>delivered</title><h1>Invoice 42</h1><p>to your bucket</p>";

/** A saved destination on a fresh bucket of the test S3 server. */
async function savedBucket(prefix = "b", credentials?: { accessKeyId: string; secretAccessKey: string }) {
	const bucket = bucketName(prefix);
	const name = `dest-${bucket}`;
	const res = await saveDestination(name, destinationBody(bucket, credentials));
	expect(res.status).toBe(201);
	return { bucket, name };
}

const puts = async (bucket: string) => (await s3Requests(bucket)).filter((r) => r.method === "PUT");

describe("saved S3 destinations", () => {
	it("receive the PDF byte for byte under the expanded key; our copy is dropped without keepCopy", async () => {
		const { bucket, name } = await savedBucket();
		const job = await renderToEnd({
			html: HTML,
			filename: "invoice 42.pdf",
			destination: { type: "s3", destination: name, key: "invoices/{date}/{id}-{filename}" },
		});
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		const date = job.createdAt.slice(0, 10);
		const key = `invoices/${date}/${job.id}-invoice 42.pdf`;
		const [object, ...more] = await storedObjects(bucket);
		expect(more).toEqual([]);
		expect(object).toMatchObject({
			key,
			sha256: job.document!.sha256,
			size: job.document!.sizeBytes,
			contentType: "application/pdf",
			contentLength: String(job.document!.sizeBytes),
		});
		expect(object?.headers["x-amz-content-sha256"]).toBe(job.document!.sha256);
		expect(job.document!.destination).toMatchObject({
			type: "s3",
			bucket,
			key,
			url: null,
			sizeBytes: job.document!.sizeBytes,
			etag: expect.stringMatching(/^[0-9a-f]{32}$/),
		});
		expect(Date.parse(job.document!.destination!.deliveredAt)).toBeGreaterThan(0);
		expect(job.document!.url).toBeNull();
		expect(await env.DOCUMENTS.head(`documents/acme/${job.id}.pdf`)).toBeNull();
		expect((await s3Requests(bucket)).map((r) => [r.method, r.status, r.auth])).toEqual([["PUT", 200, "header"]]);
	});

	it("keepCopy keeps our copy and its link beside the delivered one", async () => {
		const { bucket, name } = await savedBucket();
		const job = await renderToEnd({ html: HTML, keepCopy: true, destination: { type: "s3", destination: name } });
		expect(job.status).toBe("succeeded");
		expect((await storedObjects(bucket))[0]?.key).toBe(`${job.id}.pdf`);
		const res = await download(job.document!.url);
		expect(res.status).toBe(200);
		const bytes = new Uint8Array(await res.arrayBuffer());
		const sha = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
		expect(sha).toBe(job.document!.sha256);
	});

	it("wrong credentials fail DESTINATION_FAILED after one request, with the status in the message", async () => {
		const { bucket, name } = await savedBucket("b", { accessKeyId: S3_TEST_CREDENTIALS.accessKeyId, secretAccessKey: "not-the-secret" });
		const job = await renderToEnd({ html: HTML, destination: { type: "s3", destination: name } });
		expect(job.status).toBe("failed");
		expect(job.error).toEqual({ code: "DESTINATION_FAILED", message: expect.stringContaining("403 (SignatureDoesNotMatch)") });
		expect(job.document).toBeNull();
		expect(await puts(bucket)).toHaveLength(1);
		expect(await storedObjects(bucket)).toEqual([]);
		expect(await env.DOCUMENTS.head(`documents/acme/${job.id}.pdf`)).not.toBeNull(); // kept until retention: delivery can be investigated
	});

	it("503, 503, then 200: delivered on the third try, printed once", async () => {
		const { bucket, name } = await savedBucket("flaky");
		const res = await postRender({ html: HTML, destination: { type: "s3", destination: name } });
		const { id } = (await res.json()) as Job;
		const job = await waitForJob(id, undefined, 50_000);
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		expect((await puts(bucket)).map((r) => r.status)).toEqual([503, 503, 200]);
		expect(job.attempts).toBe(1);
		expect((await storedObjects(bucket))[0]?.sha256).toBe(job.document!.sha256);
	}, 60_000);

	it("a job canceled while its delivery waits to retry keeps no copy and sends nothing more", async () => {
		const { bucket, name } = await savedBucket("flaky");
		const logs = captureLogs();
		try {
			const { id } = (await (await postRender({ html: HTML, destination: { type: "s3", destination: name } })).json()) as Job;
			await vi.waitUntil(async () => (await puts(bucket)).length === 1, { timeout: 30_000, interval: 100 });
			const canceled = (await (await api(`/v1/renders/${id}`, { method: "DELETE" })).json()) as Job;
			expect(canceled).toMatchObject({ status: "canceled", document: null, error: { code: "CANCELED" } });
			expect(await env.DOCUMENTS.head(`documents/acme/${id}.pdf`)).toBeNull();
			// The queued retry still arrives: the consumer finds the job canceled and does nothing.
			expect(await logs.waitFor({ msg: "render message handled", jobId: id, delivery: 2 })).toMatchObject({ result: "skipped" });
			expect(await puts(bucket)).toHaveLength(1);
			expect((await waitForJob(id)).status).toBe("canceled");
		} finally {
			logs.restore();
		}
	});

	it("a 403 from the storage itself is final", async () => {
		const { bucket, name } = await savedBucket("forbidden");
		const job = await renderToEnd({ html: HTML, destination: { type: "s3", destination: name } });
		expect(job.error).toEqual({ code: "DESTINATION_FAILED", message: expect.stringContaining("403 (AccessDenied)") });
		expect(await puts(bucket)).toHaveLength(1);
	});

	it("POST /v1/destinations/{name}/check writes and deletes a probe object", async () => {
		const { bucket, name } = await savedBucket();
		const res = await api(`/v1/destinations/${name}/check`, { method: "POST" });
		expect(res.status).toBe(200);
		const check = (await res.json()) as { ok: boolean; key: string; put: { httpStatus: number }; delete: { httpStatus: number } };
		expect(check).toMatchObject({ ok: true, put: { httpStatus: 200, error: null }, delete: { httpStatus: 204, error: null } });
		expect((await s3Requests(bucket)).map((r) => [r.method, r.key])).toEqual([
			["PUT", check.key],
			["DELETE", check.key],
		]);
		expect(await storedObjects(bucket)).toEqual([]);

		const wrong = await savedBucket("b", { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" });
		const failed = (await (await api(`/v1/destinations/${wrong.name}/check`, { method: "POST" })).json()) as Record<string, unknown>;
		expect(failed).toMatchObject({ ok: false, put: { httpStatus: 403, error: expect.stringContaining("InvalidAccessKeyId") }, delete: null });
	});

	it("a key with .. segments is refused at request time, and nothing reaches the other bucket", async () => {
		const { name } = await savedBucket();
		const other = bucketName("other");
		const res = await postRender({ html: HTML, destination: { type: "s3", destination: name, key: `invoices/../../${other}/{id}.pdf` } });
		const error = (await res.json()) as { error: { code: string; details: Array<{ path: string }> } };
		expect([res.status, error.error.code, error.error.details.map((d) => d.path)]).toEqual([400, "INVALID_REQUEST", ["destination.key"]]);
		expect(await s3Requests(other)).toEqual([]);
	});

	it("checks are limited to 5 a minute per tenant: the 6th answers 429 with Retry-After", async () => {
		const key = TEST_KEYS.burst;
		const bucket = bucketName();
		expect((await saveDestination("limited", destinationBody(bucket), key)).status).toBe(201);
		const statuses: number[] = [];
		for (let i = 0; i < 6; i++) statuses.push((await api("/v1/destinations/limited/check", { method: "POST", key })).status);
		expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
		const limited = await api("/v1/destinations/limited/check", { method: "POST", key });
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
		expect((await s3Requests(bucket)).filter((r) => r.method === "PUT")).toHaveLength(5);
	});

	it("a check against storage that never answers ends at its 15 s timeout with a clear failure", async () => {
		const key = TEST_KEYS.globex;
		const bucket = bucketName("hang");
		expect((await saveDestination("silent", destinationBody(bucket), key)).status).toBe(201);
		const res = await api("/v1/destinations/silent/check", { method: "POST", key });
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ ok: false, put: { httpStatus: null, error: "no answer within 15 s" }, delete: null });
		expect((await s3Requests(bucket)).map((r) => r.method)).toEqual(["PUT"]);
	}, 50_000);

	it("secrets are in no response, no log line and not in the tenant's stored rows", async () => {
		const secretAccessKey = `s3cr3t-${crypto.randomUUID()}`;
		const accessKeyId = `AKIA${crypto.randomUUID().replaceAll("-", "").slice(0, 16).toUpperCase()}`;
		const lines: string[] = [];
		const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
		const spies = [vi.spyOn(console, "log").mockImplementation(capture), vi.spyOn(console, "error").mockImplementation(capture)];
		const bodies: string[] = [];
		try {
			const bucket = bucketName();
			const name = `secret-${bucket}`;
			const put = await saveDestination(name, destinationBody(bucket, { accessKeyId, secretAccessKey }));
			bodies.push(await put.text());
			bodies.push(await (await api(`/v1/destinations/${name}`)).text());
			bodies.push(await (await api("/v1/destinations")).text());
			bodies.push(await (await api(`/v1/destinations/${name}/check`, { method: "POST" })).text());
			const job = await renderToEnd({ html: HTML, destination: { type: "s3", destination: name } });
			bodies.push(JSON.stringify(job));
			expect(job.error?.message).toContain("InvalidAccessKeyId");
		} finally {
			for (const spy of spies) spy.mockRestore();
		}
		expect(JSON.parse(bodies[1]!)).toMatchObject({ accessKeyIdHint: `…${accessKeyId.slice(-4)}` });
		const stored = await runInDurableObject(tenantStub(env, "acme"), async (_i: TenantObject, state) => {
			const tables = ["destinations", "webhook_endpoint"];
			return JSON.stringify(tables.map((t) => state.storage.sql.exec(`SELECT * FROM ${t}`).toArray()));
		});
		expect(stored).toContain("secret-"); // the rows are there...
		for (const text of [...bodies, ...lines, stored]) {
			expect(text).not.toContain(secretAccessKey); // ...but never the secret
			expect(text).not.toContain(accessKeyId);
		}
	});
});

describe("presigned PUT destinations", () => {
	it("receive the exact bytes with their Content-Length, content-type and the given headers", async () => {
		const bucket = bucketName("pre");
		const url = await presignedPut(bucket, "uploads/report.pdf");
		const hook = await receiver("ok");
		const job = await renderToEnd({
			html: HTML,
			webhook: { url: hook.url },
			destination: { type: "presigned_put", url, headers: { "x-ms-blob-type": "BlockBlob" } },
		});
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		await waitForWebhook(job.id, ["delivered"]);
		const event = JSON.parse((await hook.received())[0]!.body) as { data: Job };
		expect(event.data.document).toMatchObject({ url: null, destination: job.document!.destination });
		const [object] = await storedObjects(bucket);
		expect(object).toMatchObject({
			key: "uploads/report.pdf",
			sha256: job.document!.sha256,
			size: job.document!.sizeBytes,
			contentLength: String(job.document!.sizeBytes),
			contentType: "application/pdf",
		});
		expect(object?.headers["x-ms-blob-type"]).toBe("BlockBlob");
		expect((await s3Requests(bucket))[0]?.auth).toBe("query");
		expect(job.document!.destination).toMatchObject({ type: "presigned_put", url: `${s3Origin()}/${bucket}/uploads/report.pdf`, bucket: null, key: null });
		expect(job.document!.url).toBeNull();
		expect(JSON.stringify(job)).not.toContain("X-Amz-Signature");
		expect(await env.DOCUMENTS.head(`documents/acme/${job.id}.pdf`)).toBeNull();
	});

	it("403 (a bad or expired signature) fails DESTINATION_FAILED at once", async () => {
		const bucket = bucketName("pre");
		const url = await presignedPut(bucket, "x.pdf", "wrong-secret");
		const job = await renderToEnd({ html: HTML, destination: { type: "presigned_put", url } });
		expect(job).toMatchObject({ status: "failed", error: { code: "DESTINATION_FAILED", message: expect.stringContaining("403") } });
		expect(job.error?.message).not.toContain("X-Amz");
		expect(await puts(bucket)).toHaveLength(1);
	});

	it("a synchronous render with a destination answers with the job, which says where the PDF went", async () => {
		const bucket = bucketName("pre");
		const res = await postRender({ html: HTML, async: false, destination: { type: "presigned_put", url: await presignedPut(bucket, "sync.pdf") } });
		expect(res.status).toBe(200);
		const job = (await res.json()) as Job;
		expect(job.status).toBe("succeeded");
		expect(job.document?.destination?.type).toBe("presigned_put");
		expect((await storedObjects(bucket))[0]?.sha256).toBe(job.document!.sha256);
	});
});

describe("a delivery whose consumer vanished", () => {
	it("a delivery lease that lapses mid-delivery is re-sent by the job's alarm and delivered from the stored PDF, never printed again", async () => {
		const bucket = bucketName("pre");
		const url = await presignedPut(bucket, "lapsed.pdf");
		const { job, stub } = await storedJob({ destination: { type: "presigned_put", url } }, "<p>would print differently</p>");
		// The consumer printed (these are the bytes it stored), started delivering and was never heard of
		// again: its delivery try began long enough ago that the lease has lapsed.
		const bytes = new TextEncoder().encode("%PDF-1.7\n% the one print of this job\n%%EOF\n");
		const document = {
			key: documentKey(job.tenantId, job.id),
			filename: job.filename,
			sizeBytes: bytes.byteLength,
			pages: 1,
			sha256: await sha256Hex(bytes),
			etag: '"p"',
		};
		await env.DOCUMENTS.put(document.key, bytes);
		expect((await stub.claim()).kind).toBe("render");
		const began = Date.now() - DELIVERY_TIMEOUT_MS - DELIVERY_LEASE_MARGIN_MS - 1000;
		expect(await stub.stored(document, { renderMs: 1, storeMs: 1 }, { now: began, attempt: 1 })).toMatchObject({ ok: true });

		// Nobody reports: the alarm finds the lapsed lease and sends the job's message to the real queue.
		const done = await waitForJob(job.id);
		expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
		expect(done.attempts).toBe(1);
		const [object, ...more] = await storedObjects(bucket);
		expect(more).toEqual([]);
		expect(object).toMatchObject({ key: "lapsed.pdf", sha256: document.sha256, size: bytes.byteLength });
		expect(await puts(bucket)).toHaveLength(1);
		expect((await readRecord(stub)).delivery).toMatchObject({ tries: 2, inFlight: false, result: { type: "presigned_put" } });
		expect(await env.DOCUMENTS.head(document.key)).toBeNull();
	});
});

describe("a destination job's preview", () => {
	it("stays with its link after delivery without keepCopy, until the document is deleted; only the PDF is delivered", async () => {
		const bucket = bucketName("pre");
		const job = await renderToEnd({
			html: HTML,
			preview: { width: 120 },
			destination: { type: "presigned_put", url: await presignedPut(bucket, "with-preview.pdf") },
		});
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		expect(job.document?.url).toBeNull();
		expect(await env.DOCUMENTS.head(`documents/acme/${job.id}.pdf`)).toBeNull();
		expect((await storedObjects(bucket)).map((o) => [o.key, o.sha256])).toEqual([["with-preview.pdf", job.document!.sha256]]);

		const preview = job.document?.preview;
		expect(preview).toMatchObject({ contentType: "image/png", width: 120 });
		const res = await download(preview!.url);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("image/png");
		expect((await res.arrayBuffer()).byteLength).toBe(preview!.sizeBytes);

		expect((await api(`/v1/renders/${job.id}`, { method: "DELETE" })).status).toBe(200);
		expect((await download(preview!.url)).status).toBe(404);
		expect((await env.DOCUMENTS.list({ prefix: `documents/acme/${job.id}` })).objects).toEqual([]);
	});
});
