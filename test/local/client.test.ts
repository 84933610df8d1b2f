// The typed client (client/, built from the OpenAPI document) end to end against the local stack:
// create, wait, download, and verify the webhook event a real receiver got, with verifyWebhook().
import { exports } from "cloudflare:workers";
import { describe, expect, expectTypeOf, it } from "vitest";
import { createClient, EdgePdfError, verifyWebhook, type ErrorCode, type RenderRequest, type WebhookEvent } from "../../client/src/index";
import type { ERROR_CODES } from "../../src/schemas/error";
import type { EVENT_TYPES } from "../../src/schemas/webhook-event";
import { BASE, waitForWebhook } from "../support/worker/api";
import { Contract } from "../support/worker/contract";
import { TEST_KEYS } from "../support/common/bindings";
import { receiver } from "../support/worker/receiver";

const client = createClient({ baseUrl: BASE, apiKey: TEST_KEYS.acme, fetch: (request) => exports.default.fetch(request) });

describe("@edge-pdf/client", () => {
	it("types: error codes and event types are the server's unions; a request has exactly one source", () => {
		expectTypeOf<ErrorCode>().toEqualTypeOf<(typeof ERROR_CODES)[number]>();
		expectTypeOf<WebhookEvent["type"]>().toEqualTypeOf<(typeof EVENT_TYPES)[number]>();
		expectTypeOf<{ html: string }>().toExtend<RenderRequest>();
		expectTypeOf<{ url: string; html: string }>().not.toExtend<RenderRequest>();
		expectTypeOf<{ pdf: { scale: number } }>().not.toExtend<RenderRequest>();
	});

	it("creates a render, waits for it, downloads the PDF and verifies the signed event", async () => {
		const hook = await receiver("ok");
		const created = await client.create({ html: "<h1>client</h1>", metadata: { from: "client" }, webhook: { url: hook.url } });
		expect(created.status).toBe("queued");

		const done = await client.waitUntilTerminal(created.id, { intervalMs: 100, timeoutMs: 45_000 });
		expect(done.status).toBe("succeeded");
		const pdf = await client.download(done);
		expect(new TextDecoder().decode(pdf.slice(0, 5))).toBe("%PDF-");
		expect(pdf.byteLength).toBe(done.document?.sizeBytes);

		await waitForWebhook(created.id, ["delivered"]);
		const [hit] = await hook.received();
		const secret = await client.webhookSecret();
		const event = verifyWebhook(secret, hit!.headers, hit!.body);
		expect(event.type).toBe("render.succeeded");
		expect(event.data.id).toBe(created.id);
		expect(event.data.metadata).toEqual({ from: "client" });
		// The delivered body is the event the document publishes under `webhooks`.
		const contract = await Contract.load();
		expect(contract.accepts("/webhooks/render/post/requestBody/content/application~1json/schema", JSON.parse(hit!.body)).errors).toBe("");
		expect(() => verifyWebhook(secret, hit!.headers, hit!.body.replace("client", "CLIENT"))).toThrow();
		expect(() => verifyWebhook(`whsec_${btoa("another secret of 32 bytes......")}`, hit!.headers, hit!.body)).toThrow();

		expect((await client.list({ limit: 100 })).data.map((job) => job.id)).toContain(created.id);
	});

	it("turns error answers into EdgePdfError with the API's code", async () => {
		const missing = await client.get("ren_0000000000aaaaaaaaaaaaaaaa").catch((err: unknown) => err);
		expect(missing).toBeInstanceOf(EdgePdfError);
		expect([(missing as EdgePdfError).status, (missing as EdgePdfError).code]).toEqual([404, "NOT_FOUND"]);

		const anonymous = createClient({ baseUrl: BASE, apiKey: "wrong", fetch: (request) => exports.default.fetch(request) });
		await expect(anonymous.create({ html: "<p>x</p>" })).rejects.toMatchObject({ status: 401, code: "UNAUTHORIZED" });

		const refused = await client.create({ html: "<p>x</p>", pdf: { scale: 5 } }).catch((err: unknown) => err);
		expect(refused).toMatchObject({ status: 400, code: "INVALID_REQUEST", details: [{ path: "pdf.scale" }] });
	});
});
