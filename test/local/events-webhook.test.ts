// Live status with a webhook: each attempt is a `webhook` event; the stream ends once the first
// attempt has settled into a scheduled retry, and Last-Event-ID picks up the later attempts.
import { describe, expect, it } from "vitest";
import { api, postRender, waitForWebhook } from "../support/worker/api";
import { poll } from "../support/worker/poll";
import { receiver } from "../support/worker/receiver";
import { collectSse, readEventStream } from "../support/worker/sse";
import type { Job } from "../../src/schemas/job";

describe("GET /v1/renders/{id}/events with a webhook", () => {
	it("streams each attempt once: 500 (retry pending, stream ends), then 500 and the delivery on resume", async () => {
		const hook = await receiver("hold-fail-twice");
		const res = await postRender({ html: "<p>hooked</p>", webhook: { url: hook.url } });
		expect(res.status).toBe(202);
		const job: Job = await res.json();

		// The stream is open (its first page read) while the first attempt is held at the receiver, so
		// it cannot have ended yet; released, that attempt settles into a retry 1 s away, and the stream,
		// already waiting for the next event, ends on it before the retry can start.
		const stream = await api(`/v1/renders/${job.id}/events`);
		expect(stream.status).toBe(200);
		const reading = collectSse(stream.body!);
		await poll(async () => ((await hook.received()).length === 1 ? true : undefined));
		await hook.release();
		const first = (await reading).events;
		expect(first.map((e) => e.event)).toEqual(["status", "status", "status", "webhook"]);
		expect(first.map((e) => e.data.status)).toEqual(["queued", "rendering", "succeeded", "succeeded"]);
		const attempt = first[3]!.data.webhook!;
		expect(attempt.status).toBe("pending");
		expect(attempt.attempts.map((a) => a.httpStatus)).toEqual([500]);

		await waitForWebhook(job.id, ["delivered"]);
		const rest = (await readEventStream(job.id, { lastEventId: first[3]!.id })).events;
		expect(rest.map((e) => e.event)).toEqual(["webhook", "webhook"]);
		expect(rest.map((e) => e.data.webhook!.attempts.map((a) => a.httpStatus))).toEqual([
			[500, 500],
			[500, 500, 200],
		]);
		expect(rest[1]!.data.webhook!.status).toBe("delivered");
		expect(rest[0]!.id).toBeGreaterThan(first[3]!.id);
		expect(rest[1]!.id).toBeGreaterThan(rest[0]!.id);
	});
});
