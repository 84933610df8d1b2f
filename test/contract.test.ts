// The OpenAPI document is the contract: requests generated from its schemas (fast-check) are
// accepted or refused exactly as it says, and every answer is one it declares (ajv). Valid bodies
// prove they passed validation without rendering: they reuse an Idempotency-Key with a different
// body, which the server checks only after validation and answers 422; a few create real jobs.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import committedDocument from "../client/openapi.json?raw";
import { ERROR_CODES } from "../src/schemas/error";
import { api, download, postRender, renderToEnd } from "./support/worker/api";
import { Contract, fillPath, HTTP_METHODS } from "./support/worker/contract";
import { FONT_FIXTURES } from "./support/worker/fonts";
import { P12, P12_PASSWORD } from "./support/worker/signing";

const FAKE_ID = "ren_0000000000aaaaaaaaaaaaaaaa";
const PUBLIC_OPERATIONS = ["health", "getOpenApiDocument", "getDocs", "downloadFile", "headFile", "downloadPreview"];

let contract: Contract;
beforeAll(async () => {
	contract = await Contract.load();
});

/** Sends a request and checks the answer against the document; returns status and parsed body. */
async function call(method: string, path: string, init: RequestInit & { key?: string | null } = {}) {
	const res = await api(path, { ...init, method });
	const status = res.status;
	const headers = res.headers;
	const body = await contract.check(method, path, res);
	return { status, headers, body: body as { error?: { code: string; details?: unknown[] } } & Record<string, unknown> };
}

describe("the published document", () => {
	it("is the committed client/openapi.json (regenerate with npm run client:generate)", () => {
		expect(contract.doc).toEqual(JSON.parse(committedDocument));
	});

	it("names every operation, and only health, the document, its UI and signed files need no key", () => {
		const operations = Object.values(contract.doc.paths).flatMap((item) => Object.values(item));
		expect(operations.every((op) => op.operationId)).toBe(true);
		const ids = operations.map((op) => op.operationId);
		expect(new Set(ids).size).toBe(ids.length);
		const open = operations.filter((op) => Array.isArray(op.security) && op.security.length === 0).map((op) => op.operationId);
		expect(open.sort()).toEqual([...PUBLIC_OPERATIONS].sort());
		expect(contract.doc.security).toEqual([{ apiKey: [] }]);
	});

	it("publishes the one error-code enum and the webhook event", () => {
		expect((contract.doc.components.schemas.ErrorCode as { enum: string[] }).enum).toEqual([...ERROR_CODES]);
		const event = contract.doc.webhooks.render?.post;
		expect(event?.requestBody?.content["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/WebhookEvent" });
		expect(contract.accepts("/components/schemas/WebhookEvent", { type: "render.succeeded", timestamp: "2026-01-01T00:00:00Z", data: {} }).ok).toBe(false);
	});
});

describe("methods", () => {
	it("a method a documented path does not declare answers 405 with Allow listing the declared ones", async () => {
		for (const [template, item] of Object.entries(contract.doc.paths)) {
			const declared = new Set(Object.keys(item).map((m) => m.toUpperCase()));
			if (declared.has("GET")) declared.add("HEAD");
			const allow = [...declared].sort().join(", ");
			for (const method of HTTP_METHODS.map((m) => m.toUpperCase()).filter((m) => !declared.has(m))) {
				const res = await api(fillPath(template, FAKE_ID), { method });
				expect(res.status, `${method} ${template}`).toBe(405);
				expect(res.headers.get("allow"), `${method} ${template}`).toBe(allow);
				if (method === "HEAD") continue;
				const verdict = contract.accepts("/components/schemas/Error", await res.json());
				expect(verdict.errors).toBe("");
			}
		}
	});
});

describe("POST /v1/renders", () => {
	const BODY = () => contract.requestBodyPointer("/v1/renders", "post");
	/**
	 * An s3 destination names a saved destination, which the document cannot know: a name that does not
	 * exist is refused (400, documented) like an unknown id. Generated bodies name the one saved here.
	 */
	const SAVED = "contract";
	/** Likewise `pdf.sign.key` names a saved signing key: generated bodies name the one saved here. */
	const SAVED_KEY = "contract";
	/** Likewise a template id names a saved template: generated ones name one saved here, with no variables. */
	let savedTemplate = "";
	const toSavedTemplate = (t: { version?: number }) => ({ ...t, id: savedTemplate, ...(t.version === undefined ? {} : { version: 1 }) });
	/**
	 * A text stamp's font names a standard font (whose encoding the text must fit, a rule the document
	 * states in words) or a saved one: generated text stamps name the font saved here, in its one face.
	 */
	const SAVED_FONT = "Contract Mono";
	const toSavedFont = (stamp: Record<string, unknown>) => {
		if (stamp.text === undefined) return stamp;
		const { fontWeight: _weight, fontStyle: _style, ...rest } = stamp;
		return { ...rest, font: SAVED_FONT };
	};
	const withSavedReferences = (value: unknown): unknown => {
		const v = { ...(value as Record<string, unknown>) } as Record<string, unknown> & {
			destination?: { type: string; destination?: string };
			template?: object;
			parts?: Array<{ template?: object }>;
			pdf?: { stamps?: Array<Record<string, unknown>>; sign?: { key: string } };
		};
		if (v.destination?.type === "s3") v.destination = { ...v.destination, destination: SAVED };
		if (v.pdf?.stamps) v.pdf = { ...v.pdf, stamps: v.pdf.stamps.map(toSavedFont) };
		if (v.pdf?.sign) v.pdf = { ...v.pdf, sign: { ...v.pdf.sign, key: SAVED_KEY } };
		if (v.template) v.template = toSavedTemplate(v.template);
		if (v.parts) v.parts = v.parts.map((p) => (p.template ? { ...p, template: toSavedTemplate(p.template) } : p));
		return v;
	};
	const body = () => contract.schemas.valid({ $ref: `#${BODY()}` }).map(withSavedReferences);

	beforeAll(async () => {
		const saved = {
			type: "s3",
			endpoint: "https://s3.example.com",
			region: "auto",
			bucket: "contract",
			accessKeyId: "AKIDCONTRACT",
			secretAccessKey: "contract-secret",
		};
		const res = await call("PUT", `/v1/destinations/${SAVED}`, { body: JSON.stringify(saved), headers: { "content-type": "application/json" } });
		expect([200, 201]).toContain(res.status);
		const key = await call("PUT", `/v1/signing-keys/${SAVED_KEY}`, {
			body: JSON.stringify({ p12: P12.rsa, password: P12_PASSWORD }),
			headers: { "content-type": "application/json" },
		});
		expect([200, 201]).toContain(key.status);
		const template = await call("POST", "/v1/templates", {
			body: JSON.stringify({ name: `contract-${crypto.randomUUID()}`, html: "<p>contract</p>" }),
			headers: { "content-type": "application/json" },
		});
		expect(template.status).toBe(201);
		savedTemplate = String(template.body.id);
		const font = await api(`/v1/fonts/${encodeURIComponent(SAVED_FONT)}`, { method: "PUT", body: FONT_FIXTURES.ttf, headers: { "content-type": "font/ttf" } });
		expect(font.status).toBe(201);
	});

	it("accepts every body the document accepts", async () => {
		// Claim a key with one body; every other valid body reusing it passes validation, then answers 422.
		const key = `contract-${crypto.randomUUID()}`;
		const seed = await call("POST", "/v1/renders", {
			body: JSON.stringify({ html: "<p>seed</p>" }),
			headers: { "content-type": "application/json", "idempotency-key": key },
		});
		expect(seed.status).toBe(202);
		await call("DELETE", `/v1/renders/${String(seed.body.id)}`);
		await fc.assert(
			fc.asyncProperty(body(), async (value) => {
				expect(contract.accepts(BODY(), value).errors).toBe("");
				const res = await call("POST", "/v1/renders", { body: JSON.stringify(value), headers: { "content-type": "application/json", "idempotency-key": key } });
				expect([res.status, res.body.error?.code], JSON.stringify(value).slice(0, 500)).toEqual([422, "IDEMPOTENCY_CONFLICT"]);
			}),
			{ numRuns: 60 },
		);
	});

	// Each run validates a generated body against the whole request schema, whose finishing rules (stamps, their fonts
	// and images) make it the slowest of these properties: a budget above the default, so a busy machine cannot time it out.
	it("refuses every body the document refuses, with a documented 400 and the error shape", { timeout: 180_000 }, async () => {
		const key = `contract-${crypto.randomUUID()}`;
		const broken = body().chain((value) => contract.schemas.invalid({ $ref: `#${BODY()}` }, value));
		await fc.assert(
			fc.asyncProperty(broken, async (value) => {
				expect(contract.accepts(BODY(), value).ok, JSON.stringify(value).slice(0, 500)).toBe(false);
				const res = await call("POST", "/v1/renders", { body: JSON.stringify(value), headers: { "content-type": "application/json", "idempotency-key": key } });
				expect(res.status, JSON.stringify(value).slice(0, 500)).toBe(400);
				expect(["INVALID_REQUEST", "URL_NOT_ALLOWED"]).toContain(res.body.error?.code);
				expect(res.body.error?.details?.length).toBeGreaterThan(0);
			}),
			{ numRuns: 80 },
		);
	});

	it("creates real jobs from a few generated bodies (html source, no page work), readable and cancelable", async () => {
		const bodies = fc.sample(body(), { numRuns: 3, seed: 15 }).map((value) => {
			const {
				url: _url,
				template: _template,
				parts: _parts,
				page: _page,
				pdf: _pdf,
				webhook: _webhook,
				destination: _destination,
				keepCopy: _keepCopy,
				...rest
			} = value as Record<string, unknown>;
			return { ...rest, html: "<p>contract</p>", async: true };
		});
		for (const value of bodies) {
			const created = await call("POST", "/v1/renders", { body: JSON.stringify(value), headers: { "content-type": "application/json" } });
			expect(created.status).toBe(202);
			expect(created.headers.get("location")).toBe(`/v1/renders/${String(created.body.id)}`);
			expect(created.body.metadata).toEqual((value as { metadata?: unknown }).metadata ?? {});
			expect((await call("GET", `/v1/renders/${String(created.body.id)}`)).status).toBe(200);
			expect((await call("DELETE", `/v1/renders/${String(created.body.id)}`)).status).toBe(200);
		}
	});

	it("answers 401, 415, 400 and 413 as documented", async () => {
		const json = { "content-type": "application/json" };
		expect((await call("POST", "/v1/renders", { key: null, body: "{}", headers: json })).status).toBe(401);
		expect((await call("POST", "/v1/renders", { key: "wrong", body: "{}", headers: json })).status).toBe(401);
		expect((await call("POST", "/v1/renders", { body: "<p>x</p>", headers: { "content-type": "text/html" } })).status).toBe(415);
		expect((await call("POST", "/v1/renders", { body: "{not json", headers: json })).status).toBe(400);
		const big = await call("POST", "/v1/renders", { body: JSON.stringify({ html: "x".repeat(10 * 1024 * 1024 + 1) }), headers: json });
		expect([big.status, big.body.error?.code]).toEqual([413, "CONTENT_TOO_LARGE"]);
	});
});

describe("the other operations", () => {
	it("GET /v1/renders: generated queries answer 200 lists; invalid ones documented 400s", async () => {
		const [status, limit, cursor] = contract.operation("GET", "/v1/renders").op.parameters!.map((p) => contract.schemas.valid(p.schema));
		const query = fc.record({ status: status!, limit: limit!, cursor: cursor! }, { requiredKeys: [] });
		await fc.assert(
			fc.asyncProperty(query, async (q) => {
				const res = await call("GET", `/v1/renders?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]))}`);
				// A valid query is never refused: whatever the cursor names, the answer is a (possibly empty) page.
				expect(res.status, JSON.stringify([q, res.body])).toBe(200);
			}),
			{ numRuns: 15 },
		);
		for (const bad of ["limit=0", "limit=101", "limit=x", "status=done", `cursor=${"c".repeat(65)}`]) {
			const res = await call("GET", `/v1/renders?${bad}`);
			const field = bad.split("=")[0];
			expect([res.status, res.body.error?.code, res.body.error?.details], bad).toEqual([400, "INVALID_REQUEST", [expect.objectContaining({ path: field })]]);
		}
	});

	it("unknown jobs answer 404, missing keys 401, on every job operation", async () => {
		for (const [method, template] of [
			["GET", "/v1/renders/{id}"],
			["DELETE", "/v1/renders/{id}"],
			["POST", "/v1/renders/{id}/webhook"],
		] as const) {
			for (const id of [FAKE_ID, "not-an-id"]) expect((await call(method, fillPath(template, id))).status).toBe(404);
			expect((await call(method, fillPath(template, FAKE_ID), { key: null })).status).toBe(401);
		}
		expect((await call("GET", "/v1/webhooks/secret")).status).toBe(200);
		expect((await call("GET", "/v1/webhooks/secret", { key: null })).status).toBe(401);
		expect((await call("GET", "/v1/renders", { key: null })).status).toBe(401);
	});

	it("public operations answer without a key", async () => {
		expect((await call("GET", "/healthz", { key: null })).status).toBe(200);
		expect((await call("GET", "/openapi.json", { key: null })).status).toBe(200);
		expect((await call("GET", "/docs", { key: null })).status).toBe(200);
		for (const method of ["GET", "HEAD"]) {
			expect((await call(method, `/v1/files/${FAKE_ID}`, { key: null })).status).toBe(403);
			expect((await call(method, `/v1/files/${FAKE_ID}?expires=1&signature=AAAA`, { key: null })).status).toBe(403);
		}
	});

	it("a finished job's download answers 200, 206, 304, HEAD and 409 for a redelivery, all as documented", async () => {
		const job = await renderToEnd({ html: "<p>contract download</p>" });
		expect(job.status).toBe("succeeded");
		const link = job.document!.url!;
		const fetchChecked = async (method: string, headers: Record<string, string> = {}) => {
			const res = await download(link, { method, headers });
			const status = res.status;
			const etag = res.headers.get("etag");
			await contract.check(method, link, res);
			return { status, etag };
		};
		const whole = await fetchChecked("GET");
		expect(whole.status).toBe(200);
		expect((await fetchChecked("GET", { range: "bytes=0-9" })).status).toBe(206);
		expect((await fetchChecked("GET", { "if-none-match": whole.etag! })).status).toBe(304);
		expect((await fetchChecked("HEAD")).status).toBe(200);
		expect((await call("POST", `/v1/renders/${job.id}/webhook`)).status).toBe(409);
		expect((await call("GET", `/v1/renders?limit=5`)).status).toBe(200);
	});

	it("a sync render that succeeds answers the documented PDF with its headers", async () => {
		const res = await postRender({ html: "<p>sync contract</p>", async: false });
		expect(res.status).toBe(200);
		expect(res.headers.get("render-id")).toMatch(/^ren_/);
		expect(String(await contract.check("POST", "/v1/renders", res)).startsWith("%PDF")).toBe(true);
	});
});
