// Destinations and tenant webhook settings under production's address policy: validation, tenant
// isolation, the sealed storage of secrets, and the delivery state machine (pure).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	beginAfterPrint,
	beginDelivery,
	DELIVERY_RETRY_DELAYS,
	endDelivery,
	MAX_DELIVERY_TRIES,
	watchDelivery,
	type DeliveryOutcome,
} from "../src/destinations/state";
import { expandKey, objectUrl, UnsafeKey } from "../src/destinations/s3";
import { open, seal } from "../src/security/secret-box";
import { api, postRender } from "./support/worker/api";
import { TEST_KEYS } from "./support/common/bindings";
import { jobRecord } from "./support/worker/jobs";
import { errorOf } from "./support/worker/errors";
import { EXAMPLE_DESTINATION } from "./support/worker/s3";

const json = (method: string, body: unknown) => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const saved = EXAMPLE_DESTINATION;

describe("saved destinations API", () => {
	it("PUT creates then replaces; GET, list and DELETE never show the secret", async () => {
		const created = await api("/v1/destinations/docs-bucket", json("PUT", saved));
		expect(created.status).toBe(201);
		const replaced = await api("/v1/destinations/docs-bucket", json("PUT", { ...saved, region: "eu-west-1", forcePathStyle: true }));
		expect(replaced.status).toBe(200);
		const view = await replaced.json();
		expect(view).toEqual({
			object: "destination",
			name: "docs-bucket",
			type: "s3",
			endpoint: saved.endpoint,
			region: "eu-west-1",
			bucket: "invoices",
			forcePathStyle: true,
			accessKeyIdHint: "…2345",
			createdAt: expect.any(String),
			updatedAt: expect.any(String),
		});
		const texts = [JSON.stringify(view), await (await api("/v1/destinations/docs-bucket")).text(), await (await api("/v1/destinations")).text()];
		for (const text of texts) {
			expect(text).not.toContain(saved.secretAccessKey);
			expect(text).not.toContain(saved.accessKeyId);
		}
		expect((await (await api("/v1/destinations")).json()) as { data: unknown[] }).toMatchObject({ object: "list", data: [{ name: "docs-bucket" }] });
		const notFound = { status: 404, code: "NOT_FOUND", message: "no saved destination docs-bucket" };
		expect(await errorOf(await api("/v1/destinations/docs-bucket", { key: TEST_KEYS.globex }))).toMatchObject(notFound);
		expect(await errorOf(await api("/v1/destinations/docs-bucket", { method: "DELETE", key: TEST_KEYS.globex }))).toMatchObject(notFound);
		expect((await api("/v1/destinations/docs-bucket", { method: "DELETE" })).status).toBe(204);
		expect(await errorOf(await api("/v1/destinations/docs-bucket"))).toMatchObject(notFound);
		expect(await errorOf(await api("/v1/destinations/docs-bucket/check", { method: "POST" }))).toMatchObject(notFound);
	});

	it("refuses private endpoints, unknown fields and bad names", async () => {
		for (const endpoint of ["http://169.254.169.254", "https://127.0.0.1:9000", "https://minio.internal", "http://s3.example.com"]) {
			expect(await errorOf(await api("/v1/destinations/private", json("PUT", { ...saved, endpoint })))).toMatchObject({
				status: 400,
				code: "URL_NOT_ALLOWED",
				paths: ["endpoint"],
			});
		}
		expect(await errorOf(await api("/v1/destinations/x", json("PUT", { ...saved, sessionToken: "t" })))).toMatchObject({
			status: 400,
			code: "INVALID_REQUEST",
			paths: ["sessionToken"],
		});
		expect(await errorOf(await api("/v1/destinations/bad%20name", json("PUT", saved)))).toMatchObject({
			status: 400,
			code: "INVALID_REQUEST",
			paths: ["name"],
		});
		expect(await errorOf(await api("/v1/destinations/private"))).toMatchObject({ status: 404, code: "NOT_FOUND" });
	});
});

describe("destination on POST /v1/renders", () => {
	it("a presigned URL outside the address policy is refused at request time", async () => {
		for (const url of ["http://127.0.0.1:9000/b/k?X-Amz-Signature=abc", "https://10.0.0.5/b/k", "http://bucket.s3.amazonaws.com/k"]) {
			const res = await postRender({ html: "<p>x</p>", destination: { type: "presigned_put", url } });
			const error = await errorOf(res);
			expect(error).toMatchObject({ status: 400, code: "URL_NOT_ALLOWED", paths: ["destination.url"] });
		}
	});

	it("an unknown saved destination, an unknown type or a bad header is refused", async () => {
		expect(await errorOf(await postRender({ html: "<p>x</p>", destination: { type: "s3", destination: "nope" } }))).toMatchObject({
			status: 400,
			code: "INVALID_REQUEST",
			paths: ["destination.destination"],
		});
		expect(await errorOf(await postRender({ html: "<p>x</p>", destination: { type: "ftp", url: "ftp://x" } }))).toMatchObject({
			status: 400,
			code: "INVALID_REQUEST",
			paths: ["destination.type"],
		});
		const header = { type: "presigned_put", url: "https://s3.example.com/k", headers: { "x-a": "1\r\nx-b: 2" } };
		expect(await errorOf(await postRender({ html: "<p>x</p>", destination: header }))).toMatchObject({
			status: 400,
			code: "INVALID_REQUEST",
			paths: ["destination.headers.x-a"],
		});
	});
});

describe("S3 object keys on POST /v1/renders", () => {
	const render = (key: string, extra: Record<string, unknown> = {}) =>
		postRender({ html: "<p>x</p>", ...extra, destination: { type: "s3", destination: "keys", key } });

	it.each([
		["a .. segment", "invoices/../../other-bucket/{id}.pdf"],
		["a key of ..", ".."],
		["a . segment", "invoices/./{id}.pdf"],
		["a leading /", "/invoices/{id}.pdf"],
		["over 1,024 bytes (600 two-byte characters)", `${"é".repeat(600)}/{id}.pdf`],
	])("%s: 400 naming destination.key", async (_, key) => {
		expect((await api("/v1/destinations/keys", json("PUT", saved))).status).toBeLessThan(300);
		expect(await errorOf(await render(key))).toMatchObject({ status: 400, code: "INVALID_REQUEST", paths: ["destination.key"] });
	});

	it("over 1,024 bytes once {filename} is expanded: 400 naming destination.key", async () => {
		expect((await api("/v1/destinations/keys", json("PUT", saved))).status).toBeLessThan(300);
		const key = `${"k".repeat(900)}/{filename}`;
		expect(await errorOf(await render(key, { filename: `${"f".repeat(200)}.pdf` }))).toMatchObject({
			status: 400,
			code: "INVALID_REQUEST",
			paths: ["destination.key"],
		});
	});
});

describe("tenant webhook settings under the address policy", () => {
	it("refuses private and plain-http endpoint and test URLs", async () => {
		for (const url of ["https://127.0.0.1/hook", "http://hooks.example.com/x"]) {
			expect(await errorOf(await api("/v1/webhooks/endpoint", json("PUT", { url })))).toMatchObject({ status: 400, code: "URL_NOT_ALLOWED" });
			expect(await errorOf(await api("/v1/webhooks/test", json("POST", { url })))).toMatchObject({ status: 400, code: "URL_NOT_ALLOWED" });
		}
		expect(await errorOf(await api("/v1/webhooks/endpoint", json("PUT", { url: "https://hooks.example.com/x", events: ["render.started"] })))).toMatchObject({
			status: 400,
			code: "INVALID_REQUEST",
			paths: ["events.0"],
		});
	});

	it("a test event needs a url or an endpoint", async () => {
		expect(await errorOf(await api("/v1/webhooks/test", { ...json("POST", {}), key: TEST_KEYS.lister }))).toMatchObject({ status: 400, paths: ["url"] });
	});
});

describe("sealed tenant secrets", () => {
	it("open only for the same tenant and row, and survive a rotation of SIGNING_SECRET", async () => {
		const sealed = await seal(env, "acme", "destination:a", "the secret");
		expect(sealed).not.toContain("the secret");
		expect(await open(env, "acme", "destination:a", sealed)).toBe("the secret");
		await expect(open(env, "globex", "destination:a", sealed)).rejects.toThrow(/could not be opened/);
		await expect(open(env, "acme", "destination:b", sealed)).rejects.toThrow(/could not be opened/);
		const rotated = { ...env, SIGNING_SECRET: "a-new-master-secret", SIGNING_SECRET_PREVIOUS: env.SIGNING_SECRET };
		expect(await open(rotated, "acme", "destination:a", sealed)).toBe("the secret");
		await expect(open({ ...env, SIGNING_SECRET: "unrelated" }, "acme", "destination:a", sealed)).rejects.toThrow();
	});
});

describe("object keys and addresses", () => {
	it("{id}, {filename} and {date} expand; keys are percent-encoded per segment", () => {
		const job = { id: "ren_x", filename: "März 1.pdf", createdAt: Date.UTC(2026, 10, 25, 23, 59) };
		expect(expandKey("a/{date}/{id}-{filename}", job)).toBe("a/2026-11-25/ren_x-März 1.pdf");
		const key = expandKey("{date}/{filename}", job);
		expect(objectUrl({ endpoint: "https://s3.example.com/", bucket: "b", forcePathStyle: true }, key).toString()).toBe(
			"https://s3.example.com/b/2026-11-25/M%C3%A4rz%201.pdf",
		);
		expect(objectUrl({ endpoint: "https://s3.example.com", bucket: "b", forcePathStyle: false }, "k(1).pdf").toString()).toBe(
			"https://b.s3.example.com/k%281%29.pdf",
		);
	});

	it("an address never leaves its bucket: dot segments and a leading / are refused, and so are buckets . and ..", async () => {
		const pathStyle = { endpoint: "https://s3.example.com/base", bucket: "invoices", forcePathStyle: true };
		for (const key of ["a/../../other-bucket/x.pdf", "..", "./x.pdf", "a/.", "/x.pdf"]) expect(() => objectUrl(pathStyle, key)).toThrow(UnsafeKey);
		for (const bucket of [".", ".."]) expect(() => objectUrl({ ...pathStyle, bucket }, "x.pdf")).toThrow(UnsafeKey);
		// Dots inside a segment, or spelled %2e, are only names.
		expect(objectUrl(pathStyle, "a/..b/.../%2e%2e/x.pdf").pathname).toBe("/base/invoices/a/..b/.../%252e%252e/x.pdf");
		for (const bucket of [".", ".."]) {
			expect(await errorOf(await api("/v1/destinations/dots", json("PUT", { ...saved, bucket })))).toMatchObject({ status: 400, paths: ["bucket"] });
		}
	});
});

describe("delivery state machine", () => {
	const transient: DeliveryOutcome = { ok: false, transient: true, error: { code: "DESTINATION_FAILED", message: "the destination answered 503" } };
	const delivering = () => {
		const job = jobRecord({ status: "rendering" });
		beginAfterPrint(job, 1000);
		return job;
	};

	it("retries transient failures on the backoff until the tries are used up", () => {
		const job = delivering();
		let now = 1000;
		const delays: number[] = [];
		for (;;) {
			const decision = endDelivery(job, transient, now);
			if (decision.kind !== "retry") {
				expect(decision).toMatchObject({
					kind: "failed",
					error: { code: "DESTINATION_FAILED", message: expect.stringContaining(`after ${MAX_DELIVERY_TRIES} tries`) },
				});
				break;
			}
			delays.push(decision.delaySeconds);
			expect(job.leaseUntil).toBeGreaterThan(now + decision.delaySeconds * 1000);
			now += decision.delaySeconds * 1000;
			expect(beginDelivery(job, now)).toEqual({ kind: "deliver" });
		}
		expect(delays).toEqual(DELIVERY_RETRY_DELAYS);
		expect(job.delivery?.tries).toBe(MAX_DELIVERY_TRIES);
	});

	it("a 4xx fails at once; success records where the PDF went; a late answer is stale", () => {
		const failing = delivering();
		expect(
			endDelivery(failing, { ok: false, transient: false, error: { code: "DESTINATION_FAILED", message: "the destination answered 403" } }, 2000),
		).toMatchObject({ kind: "failed" });
		const job = delivering();
		const destination = { type: "s3" as const, bucket: "b", key: "k", url: null, etag: "e", sizeBytes: 10, deliveredAt: "2026-11-25T00:00:00.000Z" };
		expect(endDelivery(job, { ok: true, destination }, 2000)).toEqual({ kind: "delivered" });
		expect(job.delivery?.result).toEqual(destination);
		expect(endDelivery(job, { ok: true, destination }, 2001)).toEqual({ kind: "stale" });
	});

	it("a try in flight makes others wait; a lapsed one is re-sent by the watchdog, never printed again", () => {
		const job = delivering();
		expect(beginDelivery(job, 2000)).toMatchObject({ kind: "busy" });
		expect(watchDelivery(job, job.leaseUntil!)).toEqual({ kind: "resend" });
		expect(beginDelivery(job, job.leaseUntil!)).toEqual({ kind: "deliver" });
		expect(job.delivery?.tries).toBe(2);
		job.delivery!.tries = MAX_DELIVERY_TRIES;
		expect(watchDelivery(job, job.leaseUntil! + 1)).toMatchObject({ kind: "fail", error: { code: "DESTINATION_FAILED" } });
	});
});

describe("OpenAPI", () => {
	it("documents the destination and tenant webhook routes and the render's destination", async () => {
		const doc = (await (await api("/openapi.json", { key: null })).json()) as {
			paths: Record<string, Record<string, unknown>>;
			components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
		};
		expect(Object.keys(doc.paths["/v1/destinations/{name}"] ?? {}).sort()).toEqual(["delete", "get", "put"]);
		expect(Object.keys(doc.paths["/v1/destinations"] ?? {})).toEqual(["get"]);
		expect(Object.keys(doc.paths["/v1/destinations/{name}/check"] ?? {})).toEqual(["post"]);
		expect(Object.keys(doc.paths["/v1/webhooks/endpoint"] ?? {}).sort()).toEqual(["delete", "get", "put"]);
		expect(Object.keys(doc.paths["/v1/webhooks/test"] ?? {})).toEqual(["post"]);
		const renderBody = JSON.stringify((doc.paths["/v1/renders"] as { post: { requestBody: unknown } }).post.requestBody);
		expect(renderBody).toContain('"destination"');
		expect(renderBody).toContain('"keepCopy"');
		expect(doc.components.schemas.Document?.properties).toHaveProperty("destination");
		expect(JSON.stringify(doc.components.schemas.SavedDestination)).not.toContain("secretAccessKey");
	});
});
