// GET /v1/renders: the tenant's jobs, newest first, cursor-paginated, filterable by status.
import { describe, expect, it } from "vitest";
import type { Job } from "../src/schemas/job";
import { api, postRender, waitForJob } from "./support/worker/api";
import { TEST_KEYS } from "./support/common/bindings";

interface Page {
	object: string;
	data: Job[];
	nextCursor: string | null;
}

async function list(query: string, key: string = TEST_KEYS.lister): Promise<Page> {
	const res = await api(`/v1/renders${query}`, { key });
	expect(res.status).toBe(200);
	return res.json();
}

describe("GET /v1/renders", () => {
	it("lists newest first, pages with a cursor, filters by status, and shows only the caller's jobs", async () => {
		const ids: string[] = [];
		for (const n of [1, 2, 3]) {
			const res = await postRender({ html: `<p>list ${n}</p>` }, { key: TEST_KEYS.lister });
			ids.push(((await res.json()) as Job).id);
		}
		await Promise.all(ids.map((id) => waitForJob(id, undefined, undefined, TEST_KEYS.lister)));

		const first = await list("?limit=2");
		expect(first.object).toBe("list");
		expect(first.data.map((j) => j.id)).toEqual([ids[2], ids[1]]);
		expect(first.nextCursor).toBe(ids[1]);
		const second = await list(`?limit=2&cursor=${first.nextCursor}`);
		expect(second.data.map((j) => j.id)).toEqual([ids[0]]);
		expect(second.nextCursor).toBeNull();

		// The index follows each job's status just after the job changes it.
		await expect.poll(async () => (await list("?status=succeeded")).data.map((j) => j.id)).toEqual([...ids].reverse());
		expect((await list("?status=queued")).data).toEqual([]);
		expect((await list("", TEST_KEYS.globex)).data.map((j) => j.id)).not.toContain(ids[0]);
	});

	it("rejects a bad query with 400", async () => {
		for (const query of ["?limit=0", "?limit=101", "?status=done", "?limit=abc"]) {
			expect((await api(`/v1/renders${query}`, { key: TEST_KEYS.lister })).status).toBe(400);
		}
	});
});
