// PUT/GET/DELETE /v1/fonts: a tenant's own faces, checked as fonts before anything is stored, bytes
// in R2 and the index in the tenant's Durable Object; families unique per tenant without regard to
// case; at most 100 faces a tenant. Each test runs as a tenant of its own.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_FACES_PER_TENANT } from "../src/schemas/font";
import { expectError } from "./support/worker/errors";
import { FONT_FIXTURES, type FontTenant, fontTenant, putFont } from "./support/worker/fonts";

const { ttf, woff, woff2 } = FONT_FIXTURES;

async function listed(tenant: FontTenant): Promise<Array<{ family: string; weight: number; style: string; format: string }>> {
	const res = await tenant.call("/v1/fonts");
	expect(res.status).toBe(200);
	const body: { object: string; data: Array<{ family: string; weight: number; style: string; format: string }> } = await res.json();
	expect(body.object).toBe("list");
	return body.data.map(({ family, weight, style, format }) => ({ family, weight, style, format }));
}

const storedObjects = async (tenant: FontTenant) => (await env.DOCUMENTS.list({ prefix: `fonts/${tenant.id}/` })).objects.length;

async function sha256(bytes: Uint8Array): Promise<string> {
	return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("uploading faces", () => {
	it("PUT a TrueType, WOFF and WOFF2 face: 201 with family, weight, style, format, size and sha256; listed; bytes in R2", async () => {
		const tenant = await fontTenant();
		const res = await putFont(tenant, "Acme Mono", ttf);
		expect(res.status).toBe(201);
		const face = await res.json();
		expect(face).toEqual({
			family: "Acme Mono",
			weight: 400,
			style: "normal",
			format: "ttf",
			sizeBytes: ttf.byteLength,
			sha256: await sha256(ttf),
			createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
		});
		expect((await putFont(tenant, "Acme Mono", woff, { weight: 700, contentType: "font/woff" })).status).toBe(201);
		expect((await putFont(tenant, "Acme_Mono-2", woff2, { style: "italic", contentType: "application/octet-stream" })).status).toBe(201);
		expect(await listed(tenant)).toEqual([
			{ family: "Acme Mono", weight: 400, style: "normal", format: "ttf" },
			{ family: "Acme Mono", weight: 700, style: "normal", format: "woff" },
			{ family: "Acme_Mono-2", weight: 400, style: "italic", format: "woff2" },
		]);
		expect(await storedObjects(tenant)).toBe(3);
	});

	it("PUT the same face again replaces it: 200, one face listed, one object stored (the new bytes)", async () => {
		const tenant = await fontTenant();
		expect((await putFont(tenant, "Acme Mono", ttf)).status).toBe(201);
		const replaced = await putFont(tenant, "Acme Mono", woff2, { weight: "400", style: "normal", contentType: "font/woff2" });
		expect(replaced.status).toBe(200);
		expect(await replaced.json()).toMatchObject({ family: "Acme Mono", format: "woff2", sizeBytes: woff2.byteLength, sha256: await sha256(woff2) });
		expect(await listed(tenant)).toEqual([{ family: "Acme Mono", weight: 400, style: "normal", format: "woff2" }]);
		const objects = (await env.DOCUMENTS.list({ prefix: `fonts/${tenant.id}/` })).objects;
		expect(objects).toHaveLength(1);
		expect(objects[0]?.size).toBe(woff2.byteLength);
	});

	it("families are unique without regard to case: another spelling is 409 naming the stored one, and changes nothing", async () => {
		const tenant = await fontTenant();
		expect((await putFont(tenant, "Acme Mono", ttf)).status).toBe(201);
		const error = await expectError(await putFont(tenant, "ACME mono", ttf, { weight: 700 }), 409, "CONFLICT");
		expect(error.message).toContain('"Acme Mono"');
		expect(error.details).toEqual([{ path: "family", message: 'use "Acme Mono"' }]);
		expect(await listed(tenant)).toEqual([{ family: "Acme Mono", weight: 400, style: "normal", format: "ttf" }]);
		expect(await storedObjects(tenant)).toBe(1);
	});

	it(`at most ${MAX_FACES_PER_TENANT} faces a tenant: the next is 409 and stores nothing; replacing one still works`, async () => {
		const tenant = await fontTenant();
		const weights = [100, 200, 300, 400, 500, 600, 700, 800, 900, 450];
		for (let batch = 0; batch < MAX_FACES_PER_TENANT / 10; batch++) {
			const statuses = await Promise.all(
				weights.map(async (weight) => (await putFont(tenant, `Family ${batch}`, woff2, { weight, contentType: "font/woff2" })).status),
			);
			expect(statuses).toEqual(weights.map(() => 201));
		}
		const error = await expectError(await putFont(tenant, "One Too Many", woff2, { contentType: "font/woff2" }), 409, "CONFLICT");
		expect(error.message).toContain(`${MAX_FACES_PER_TENANT} font faces`);
		expect(await storedObjects(tenant)).toBe(MAX_FACES_PER_TENANT);
		expect((await putFont(tenant, "Family 0", ttf, { weight: 100 })).status).toBe(200);
		expect(await storedObjects(tenant)).toBe(MAX_FACES_PER_TENANT);
	}, 120_000);
});

describe("what is refused stores nothing", () => {
	it.each([
		["wrong magic (a PNG)", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]), /not a font/],
		["a truncated table directory", ttf.slice(0, 12 + 16 * 3), /table directory is truncated/],
		["a table past the end of the file", ttf.slice(0, ttf.length >> 1), /lies past the end of the file/],
	])("%s: 400 INVALID_REQUEST whose message and details say why", async (_name, bytes, reason) => {
		const tenant = await fontTenant();
		const error = await expectError(await putFont(tenant, "Acme Mono", bytes), 400, "INVALID_REQUEST");
		expect(error.message).toMatch(reason);
		expect(error.details).toEqual([{ path: "(body)", message: expect.stringMatching(reason) }]);
		expect(await listed(tenant)).toEqual([]);
		expect(await storedObjects(tenant)).toBe(0);
	});

	it("invalid family, weight and style: 400 with the path of each", async () => {
		const tenant = await fontTenant();
		const cases: Array<[string, string]> = [
			[`/v1/fonts/${encodeURIComponent("Acme<Sans>")}`, "family"],
			[`/v1/fonts/${"x".repeat(65)}`, "family"],
			["/v1/fonts/Acme?weight=950", "weight"],
			["/v1/fonts/Acme?weight=bold", "weight"],
			["/v1/fonts/Acme?weight=450.5", "weight"],
			["/v1/fonts/Acme?style=oblique", "style"],
			["/v1/fonts/Acme?stretch=condensed", "stretch"],
		];
		for (const [path, field] of cases) {
			const res = await tenant.call(path, { method: "PUT", body: ttf, headers: { "content-type": "font/ttf" } });
			const error = await expectError(res, 400, "INVALID_REQUEST");
			expect(
				error.details?.map((d) => d.path),
				path,
			).toEqual([field]);
		}
		expect(await storedObjects(tenant)).toBe(0);
	});

	it("a body that is not declared a font type is 415; an empty one is 400", async () => {
		const tenant = await fontTenant();
		await expectError(await putFont(tenant, "Acme Mono", ttf, { contentType: "application/json" }), 415, "UNSUPPORTED_MEDIA_TYPE");
		await expectError(await putFont(tenant, "Acme Mono", new Uint8Array(0)), 400, "INVALID_REQUEST");
		expect(await storedObjects(tenant)).toBe(0);
	});

	it("a file past 10 MiB is 413 and stores nothing", async () => {
		const tenant = await fontTenant();
		const big = new Uint8Array(10 * 1024 * 1024 + 1);
		big.set(ttf);
		await expectError(await putFont(tenant, "Acme Mono", big), 413, "CONTENT_TOO_LARGE");
		expect(await storedObjects(tenant)).toBe(0);
	});
});

describe("deleting", () => {
	it("DELETE ?weight=&style= removes one face; DELETE the family (any case) removes the rest; then 404", async () => {
		const tenant = await fontTenant();
		for (const [weight, style] of [
			[400, "normal"],
			[700, "normal"],
			[400, "italic"],
		] as const)
			expect((await putFont(tenant, "Acme Mono", woff2, { weight, style, contentType: "font/woff2" })).status).toBe(201);
		expect((await putFont(tenant, "Other", woff2, { contentType: "font/woff2" })).status).toBe(201);

		expect((await tenant.call("/v1/fonts/Acme%20Mono?weight=700&style=normal", { method: "DELETE" })).status).toBe(204);
		expect((await listed(tenant)).map((f) => `${f.family} ${f.weight} ${f.style}`)).toEqual([
			"Acme Mono 400 italic",
			"Acme Mono 400 normal",
			"Other 400 normal",
		]);
		await expectError(await tenant.call("/v1/fonts/Acme%20Mono?weight=700", { method: "DELETE" }), 404, "NOT_FOUND");

		expect((await tenant.call("/v1/fonts/acme%20MONO", { method: "DELETE" })).status).toBe(204);
		expect((await listed(tenant)).map((f) => f.family)).toEqual(["Other"]);
		expect(await storedObjects(tenant)).toBe(1);
		await expectError(await tenant.call("/v1/fonts/Acme%20Mono", { method: "DELETE" }), 404, "NOT_FOUND");
	});

	it("another tenant's faces are not listed and cannot be deleted", async () => {
		const [owner, other] = [await fontTenant(), await fontTenant()];
		expect((await putFont(owner, "Acme Mono", ttf)).status).toBe(201);
		expect(await listed(other)).toEqual([]);
		await expectError(await other.call("/v1/fonts/Acme%20Mono", { method: "DELETE" }), 404, "NOT_FOUND");
		expect(await listed(owner)).toHaveLength(1);
	});
});
