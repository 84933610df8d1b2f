// API keys and tenant isolation.
import { describe, expect, it } from "vitest";
import { tenantForKey, parseApiKeys } from "../src/api/auth";
import { api, getJob, postRender } from "./support/worker/api";
import { TEST_BINDINGS, TEST_KEYS } from "./support/common/bindings";
import { expectError } from "./support/worker/errors";

describe("authentication", () => {
	it.each([
		["no Authorization header", null],
		["a wrong key", "not-a-key"],
		["an empty bearer", ""],
	])("%s → 401 JSON", async (_name, key) => {
		const res = await api("/v1/renders/ren_00000000000000000000000000", {
			key: key === "" ? null : key,
			headers: key === "" ? { authorization: "Bearer " } : {},
		});
		expect(res.status).toBe(401);
		expect(res.headers.get("www-authenticate")).toContain("Bearer");
		await expectError(res, 401, "UNAUTHORIZED");
	});

	it("POST without a key is refused before validation", async () => {
		const res = await postRender({ nonsense: true }, { key: null });
		expect(res.status).toBe(401);
	});

	it("healthz and openapi need no key", async () => {
		expect((await api("/healthz", { key: null })).status).toBe(200);
		const doc = (await (await api("/openapi.json", { key: null })).json()) as { openapi: string; paths: Record<string, unknown> };
		expect(doc.openapi).toBe("3.1.0");
		expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/renders", "/v1/renders/{id}", "/v1/files/{id}", "/healthz"]));
	});

	it("maps keys to tenants by hash, ignoring malformed pairs", async () => {
		expect(await tenantForKey(TEST_BINDINGS.API_KEYS, TEST_KEYS.acme)).toBe("acme");
		expect(await tenantForKey(TEST_BINDINGS.API_KEYS, TEST_KEYS.globex)).toBe("globex");
		expect(await tenantForKey(TEST_BINDINGS.API_KEYS, "test_key_acme ")).toBeNull();
		expect(parseApiKeys("a:nothex, :abc, b")).toEqual([]);
	});
});

describe("tenant isolation", () => {
	it("another tenant's job answers 404 exactly like an unknown id", async () => {
		const created = await postRender({ html: "<p>acme only</p>" });
		expect(created.status).toBe(202);
		const { id } = (await created.json()) as { id: string };

		expect((await getJob(id, TEST_KEYS.acme)).id).toBe(id);
		const unknownId = "ren_0000000000zzzzzzzzzzzzzzzz";
		const foreign = await api(`/v1/renders/${id}`, { key: TEST_KEYS.globex });
		const unknown = await api(`/v1/renders/${unknownId}`, { key: TEST_KEYS.globex });
		await expectError(foreign.clone(), 404, "NOT_FOUND");
		// Same status, same headers, same body but for the id asked about: nothing tells the two apart.
		expect(foreign.status).toBe(unknown.status);
		expect([...foreign.headers].filter(([name]) => name !== "date")).toEqual([...unknown.headers].filter(([name]) => name !== "date"));
		expect((await foreign.text()).replaceAll(id, "<id>")).toBe((await unknown.text()).replaceAll(unknownId, "<id>"));
	});

	it("a malformed id is a 404, not a 400 or 500", async () => {
		expect((await api("/v1/renders/..%2F..%2Fetc")).status).toBe(404);
		expect((await api("/v1/renders/ren_short")).status).toBe(404);
	});
});
