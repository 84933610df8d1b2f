// A failing render of a URL carrying a token (query and userinfo): the token reaches neither the
// Worker's logs nor the job's error message, async or sync. Loopback is reachable in this project,
// so the page's address is refused by the connection itself, not by the address policy.
import { logsOfEachTest } from "../support/worker/logs";
import { describe, expect, inject, it } from "vitest";
import type { Job } from "../../src/schemas/job";
import { getJob, postRender, renderToEnd } from "../support/worker/api";

const TOKEN = "at-9f27c4e1b6";
const PASSWORD = "pw-3d81aa07";
/** Port 1 is never served (and Chrome refuses it outright); closedOrigin is another port below 1024 that nothing listens on. */
const TARGETS = [`${inject("closedOrigin")}/q?access_token=${TOKEN}`, `http://user:${PASSWORD}@127.0.0.1:1/q?access_token=${TOKEN}#${TOKEN}`];

const logs = logsOfEachTest();

function expectNoSecret(text: string): void {
	expect(text).not.toContain(TOKEN);
	expect(text).not.toContain(PASSWORD);
}

describe("a failing render of a URL with a token", () => {
	it.each(TARGETS)("async: the job's error and the logs carry no token (%s)", async (url) => {
		const job = await renderToEnd({ url });
		expect(job.status).toBe("failed");
		expect(job.error?.code).toBe("NAVIGATION_FAILED");
		expectNoSecret(job.error!.message);
		expect(job.error!.message).toContain("127.0.0.1");
		expect(logs().lines.some((l) => l.includes("render attempt failed"))).toBe(true);
		for (const line of logs().lines) expectNoSecret(line);
	});

	it("sync: the error answer, the recorded job and the logs carry no token", async () => {
		const res = await postRender({ url: TARGETS[0], async: false });
		expect(res.status).toBe(502);
		const body = await res.text();
		expect(JSON.parse(body).error.code).toBe("NAVIGATION_FAILED");
		expectNoSecret(body);
		const job: Job = await getJob(res.headers.get("render-id")!);
		expectNoSecret(job.error!.message);
		for (const line of logs().lines) expectNoSecret(line);
	});
});
