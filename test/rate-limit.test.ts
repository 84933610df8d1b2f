// The per-tenant limit on creating renders: 429 with Retry-After past it, other tenants unaffected.
import { describe, expect, it } from "vitest";
import { postRender } from "./support/api";
import { TEST_KEYS } from "./support/bindings";

describe("rate limit", () => {
	it("answers 429 JSON with Retry-After once a tenant exceeds 600 creations a minute", async () => {
		let limited: Response | undefined;
		// Invalid bodies are cheap and still count: the limit is checked before validation.
		for (let i = 0; i < 700 && !limited; i++) {
			const res = await postRender({}, { key: TEST_KEYS.burst });
			if (res.status === 429) limited = res;
			else expect(res.status).toBe(400);
		}
		expect(limited).toBeDefined();
		expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
		expect(((await limited!.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
		expect((await postRender({ html: "<p>other tenant</p>" }, { key: TEST_KEYS.globex })).status).toBe(202);
	});
});
