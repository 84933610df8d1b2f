// Request bodies are refused past their route's limit (413) before the Worker buffers them:
// settings routes take 64 KiB, renders and templates 10 MiB. The route table is walked, so a route
// added later without a limit fails here.
import { describe, expect, it } from "vitest";
import { BODY_LIMITS } from "../src/api/router";
import { api } from "./support/worker/api";
import { countedStream, jsonRequest, paddedJson } from "./support/worker/bodies";
import { TEST_KEYS } from "./support/common/bindings";
import type { OpenApiDocument } from "./support/worker/contract";
import { expectError } from "./support/worker/errors";
import { EXAMPLE_DESTINATION } from "./support/worker/s3";

const SETTINGS = BODY_LIMITS.settings;
const LARGEST = Math.max(...Object.values(BODY_LIMITS));
const destination = EXAMPLE_DESTINATION;
const endpoint = { url: "https://hooks.example.com/edge-pdf" };

/** Every operation of the published document that declares a request body, with a concrete path. */
async function bodyOperations(): Promise<Array<{ method: string; path: string }>> {
	const doc = (await (await api("/openapi.json", { key: null })).json()) as OpenApiDocument;
	return Object.entries(doc.paths).flatMap(([template, operations]) =>
		Object.entries(operations)
			.filter(([, operation]) => operation.requestBody !== undefined)
			.map(([method]) => ({ method: method.toUpperCase(), path: template.replace(/\{[^}]+\}/g, "x1") })),
	);
}

describe("every route that takes a body has a limit", () => {
	it("past the largest limit, streamed without Content-Length: 413 before the body is read to its end", async () => {
		const operations = await bodyOperations();
		// renders, templates (create, update, preview), a destination, the webhook endpoint, a test event
		expect(operations.length).toBeGreaterThanOrEqual(7);
		// A MiB past the limit, so stopping at the limit leaves most of it unread.
		const body = paddedJson({}, LARGEST + 1024 * 1024);
		for (const { method, path } of operations) {
			const { stream, pulled } = countedStream(body);
			const res = await api(path, jsonRequest(method, stream));
			expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 413`);
			await expectError(res, 413, "CONTENT_TOO_LARGE");
			expect(pulled(), `${method} ${path} read the whole body`).toBeLessThan(body.length);
		}
	});
});

describe("settings routes take at most 64 KiB", () => {
	it("PUT /v1/destinations/{name}: one byte past 64 KiB is 413 and saves nothing; exactly 64 KiB is saved", async () => {
		const error = await expectError(await api("/v1/destinations/padded", jsonRequest("PUT", paddedJson(destination, SETTINGS + 1))), 413, "CONTENT_TOO_LARGE");
		expect(error.message).toContain("65536 bytes");
		expect((await api("/v1/destinations/padded")).status).toBe(404);
		expect((await api("/v1/destinations/padded", jsonRequest("PUT", paddedJson(destination, SETTINGS)))).status).toBe(201);
		expect((await api("/v1/destinations/padded", { method: "DELETE" })).status).toBe(204);
	});

	it("PUT /v1/webhooks/endpoint: one byte past 64 KiB is 413 and sets nothing; exactly 64 KiB is set", async () => {
		const key = TEST_KEYS.lister;
		await expectError(await api("/v1/webhooks/endpoint", { ...jsonRequest("PUT", paddedJson(endpoint, SETTINGS + 1)), key }), 413, "CONTENT_TOO_LARGE");
		expect((await api("/v1/webhooks/endpoint", { key })).status).toBe(404);
		expect((await api("/v1/webhooks/endpoint", { ...jsonRequest("PUT", paddedJson(endpoint, SETTINGS)), key })).status).toBe(200);
		expect((await api("/v1/webhooks/endpoint", { method: "DELETE", key })).status).toBe(204);
	});

	it("POST /v1/webhooks/test: one byte past 64 KiB is 413", async () => {
		await expectError(await api("/v1/webhooks/test", jsonRequest("POST", paddedJson({}, SETTINGS + 1))), 413, "CONTENT_TOO_LARGE");
	});

	it("30 MB bodies, with or without Content-Length, are refused unread and change nothing", async () => {
		const huge = paddedJson(destination, 30 * 1024 * 1024);
		await expectError(await api("/v1/destinations/huge", jsonRequest("PUT", huge)), 413, "CONTENT_TOO_LARGE");
		const { stream, pulled } = countedStream(huge);
		await expectError(await api("/v1/destinations/huge", jsonRequest("PUT", stream)), 413, "CONTENT_TOO_LARGE");
		expect(pulled()).toBeLessThan(SETTINGS + 1024 * 1024);
		expect((await api("/v1/destinations/huge")).status).toBe(404);

		const key = TEST_KEYS.lister;
		await expectError(await api("/v1/webhooks/endpoint", { ...jsonRequest("PUT", paddedJson(endpoint, 30 * 1024 * 1024)), key }), 413, "CONTENT_TOO_LARGE");
		expect((await api("/v1/webhooks/endpoint", { key })).status).toBe(404);
		await expectError(await api("/v1/webhooks/test", jsonRequest("POST", paddedJson({}, 30 * 1024 * 1024))), 413, "CONTENT_TOO_LARGE");
	});
});
