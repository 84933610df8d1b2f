// POST /v1/renders/{id}/webhook is rate-limited per tenant (REDELIVERY_LIMITER: 30 a minute),
// counted before the job is looked up; other tenants are unaffected.
import { describe, expect, it } from "vitest";
import { newJobId } from "../src/jobs/ids";
import { api } from "./support/api";
import { TEST_KEYS } from "./support/bindings";

describe("redelivery rate limit", () => {
	it("answers 429 with Retry-After once a tenant exceeds 30 redeliveries a minute", async () => {
		const statuses: number[] = [];
		let limited: Response | undefined;
		for (let i = 0; i < 40 && !limited; i++) {
			const res = await api(`/v1/renders/${newJobId()}/webhook`, { method: "POST", key: TEST_KEYS.burst });
			if (res.status === 429) limited = res;
			else statuses.push(res.status);
		}
		expect(limited).toBeDefined();
		expect(statuses.length).toBeGreaterThanOrEqual(30);
		expect(new Set(statuses)).toEqual(new Set([404]));
		expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
		expect(((await limited!.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
		expect((await api(`/v1/renders/${newJobId()}/webhook`, { method: "POST", key: TEST_KEYS.globex })).status).toBe(404);
	});
});
