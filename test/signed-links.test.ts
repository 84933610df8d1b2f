// Signed download links: valid, tampered, expired, another job's, deleted; HEAD, Range, ETag.
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { jobStub } from "../src/jobs/ids";
import { checkSignedRequest, filePath, signedUrl } from "../src/storage/signed-links";
import type { Job } from "../src/schemas/job";
import { api, BASE, download, getJob, renderToEnd } from "./support/worker/api";
import { expectError } from "./support/worker/errors";
import { editRecord, readRecord } from "./support/worker/jobs";

const now = () => Math.floor(Date.now() / 1000);

let job: Job;
let other: Job;

beforeAll(async () => {
	[job, other] = await Promise.all([renderToEnd({ html: "<h1>Signed</h1>", filename: "quarterly report.pdf" }), renderToEnd({ html: "<h1>Other</h1>" })]);
	expect(job.status).toBe("succeeded");
	expect(other.status).toBe("succeeded");
});

function withParam(url: string, name: string, value: string): string {
	const u = new URL(url);
	u.searchParams.set(name, value);
	return u.toString();
}

describe("GET /v1/files/{id}", () => {
	it("serves the PDF with its headers on a valid link", async () => {
		const res = await download(job.document!.url);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("application/pdf");
		expect(res.headers.get("content-disposition")).toContain('filename="quarterly report.pdf"');
		expect(res.headers.get("etag")).toMatch(/^".+"$/);
		expect(res.headers.get("accept-ranges")).toBe("bytes");
		const bytes = new Uint8Array(await res.arrayBuffer());
		expect(bytes.byteLength).toBe(job.document!.sizeBytes);
		expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
	});

	it("HEAD is verified as GET and has no body", async () => {
		const res = await download(job.document!.url, { method: "HEAD" });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-length")).toBe(String(job.document!.sizeBytes));
		expect((await res.arrayBuffer()).byteLength).toBe(0);
	});

	it("serves byte ranges", async () => {
		const res = await download(job.document!.url, { headers: { range: "bytes=0-4" } });
		expect(res.status).toBe(206);
		expect(res.headers.get("content-range")).toBe(`bytes 0-4/${job.document!.sizeBytes}`);
		expect(await res.text()).toBe("%PDF-");
	});

	it("answers 304 to a matching If-None-Match", async () => {
		const etag = (await download(job.document!.url)).headers.get("etag")!;
		const res = await download(job.document!.url, { headers: { "if-none-match": etag } });
		expect(res.status).toBe(304);
	});

	it("a tampered signature → 403", async () => {
		const url = job.document!.url!;
		const sig = new URL(url).searchParams.get("signature")!;
		const flipped = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
		const res = await download(withParam(url, "signature", flipped));
		await expectError(res, 403, "FORBIDDEN");
	});

	it("a tampered expiry → 403", async () => {
		const url = job.document!.url!;
		const later = String(Number(new URL(url).searchParams.get("expires")) + 3600);
		expect((await download(withParam(url, "expires", later))).status).toBe(403);
	});

	it("no signature → 403", async () => {
		expect((await download(`${BASE}${filePath(job.id)}`)).status).toBe(403);
	});

	it("another job's signature → 403", async () => {
		const theirs = new URL(other.document!.url!);
		const forged = withParam(
			withParam(`${BASE}${filePath(job.id)}`, "expires", theirs.searchParams.get("expires")!),
			"signature",
			theirs.searchParams.get("signature")!,
		);
		expect((await download(forged)).status).toBe(403);
	});

	it("an expired link → 410", async () => {
		const res = await download(await signedUrl(env, BASE, filePath(job.id), now() - 1));
		await expectError(res, 410, "GONE");
	});

	it("a link signed for another method is refused", async () => {
		const url = new URL(job.document!.url!);
		expect(await checkSignedRequest(env, "DELETE", url, now())).toBe("invalid");
		expect(await checkSignedRequest(env, "HEAD", url, now())).toBe("valid");
	});

	it("links signed with the previous secret stay valid during a rotation", async () => {
		const oldEnv = { ...env, SIGNING_SECRET: "old-secret", SIGNING_SECRET_PREVIOUS: "" };
		const rotated = { ...env, SIGNING_SECRET: "new-secret", SIGNING_SECRET_PREVIOUS: "old-secret" };
		const url = new URL(await signedUrl(oldEnv, BASE, filePath(job.id), now() + 60));
		expect(await checkSignedRequest(rotated, "GET", url, now())).toBe("valid");
		expect(await checkSignedRequest({ ...env, SIGNING_SECRET: "new-secret", SIGNING_SECRET_PREVIOUS: "" }, "GET", url, now())).toBe("invalid");
	});

	it("every read signs the link afresh, never past the document's deletion", async () => {
		const done = await renderToEnd({ html: "<p>short</p>", expiresIn: 3600 });
		const linkExpiry = (job: Job) => Number(new URL(job.document!.url!).searchParams.get("expires"));
		const readAt = now();
		const first = await getJob(done.id);
		// expiresIn counts from the read, not from the render.
		expect(linkExpiry(first)).toBeGreaterThanOrEqual(readAt + 3600);
		expect(Date.parse(first.document!.expiresAt) / 1000).toBe(linkExpiry(first));
		// The document is now due for deletion in 90 s: the next read's link ends with it, and is still valid.
		const deleteAt = (readAt + 90) * 1000;
		await editRecord(done.id, (r) => {
			r.deleteAt = deleteAt;
		});
		const second = await getJob(done.id);
		expect(linkExpiry(second)).toBe(Math.floor(deleteAt / 1000));
		expect(second.document!.url).not.toBe(first.document!.url);
		expect((await download(second.document!.url, { method: "HEAD" })).status).toBe(200);
	});

	it("DELETE of a finished render deletes its document: null on the job, 404 on the link", async () => {
		const done = await renderToEnd({ html: "<p>delete me</p>" });
		const res = await api(`/v1/renders/${done.id}`, { method: "DELETE" });
		expect(res.status).toBe(200);
		const after = (await res.json()) as Job;
		expect(after.status).toBe("succeeded");
		expect(after.document).toBeNull();
		expect(await env.DOCUMENTS.head(`documents/acme/${done.id}.pdf`)).toBeNull();
		expect((await download(done.document!.url)).status).toBe(404);
		expect((await api(`/v1/renders/${done.id}`, { method: "DELETE" })).status).toBe(200);
		expect((await api(`/v1/renders/${done.id}`, { method: "DELETE", key: "test_key_globex" })).status).toBe(404);
	});

	it("a deleted document → 404 (retention alarm)", async () => {
		const doomed = await renderToEnd({ html: "<p>doomed</p>" });
		const stub = jobStub(env, doomed.id);
		await editRecord(stub, (r) => {
			r.deleteAt = Date.now() - 1;
		});
		const key = (await readRecord(stub)).document!.key;
		expect(await env.DOCUMENTS.head(key)).not.toBeNull();
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(await env.DOCUMENTS.head(key)).toBeNull();
		const res = await download(doomed.document!.url);
		await expectError(res, 404, "NOT_FOUND");
	});
});
