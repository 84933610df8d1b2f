// Live status: GET /v1/renders/{id}/events streams each stored status of a real render (the real
// render queue and Chromium), resumes after Last-Event-ID, and hides other tenants' jobs.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { JobObject } from "../src/jobs/job-object";
import { api, download, postRender } from "./support/worker/api";
import { TEST_KEYS } from "./support/common/bindings";
import { storedJob } from "./support/worker/jobs";
import { collectSse, readEventStream } from "./support/worker/sse";
import type { Job } from "../src/schemas/job";

async function queuedRender(): Promise<Job> {
	const res = await postRender({ html: "<h1>streamed</h1>", filename: "streamed.pdf" });
	expect(res.status).toBe(202);
	return res.json();
}

describe("GET /v1/renders/{id}/events", () => {
	it("streams queued → rendering → succeeded with increasing ids and ends; the last event links the PDF", async () => {
		const job = await queuedRender();
		const { events } = await readEventStream(job.id);
		expect(events.map((e) => [e.event, e.data.status])).toEqual([
			["status", "queued"],
			["status", "rendering"],
			["status", "succeeded"],
		]);
		expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
		expect(new Set(events.map((e) => e.id)).size).toBe(3);
		expect(events.every((e) => e.data.id === job.id && e.data.object === "render")).toBe(true);
		expect(events[0]!.data.document).toBeNull();
		const done = events[2]!.data;
		expect(done.attempts).toBe(1);
		expect(done.document?.filename).toBe("streamed.pdf");
		const pdf = await download(done.document!.url);
		expect(pdf.status).toBe(200);
		expect(new TextDecoder().decode((await pdf.arrayBuffer()).slice(0, 5))).toBe("%PDF-");
	});

	it("resumes after Last-Event-ID with exactly the later events, and a finished stream replays to its end", async () => {
		const job = await queuedRender();
		const all = (await readEventStream(job.id)).events;
		expect(all).toHaveLength(3);
		const resumed = (await readEventStream(job.id, { lastEventId: all[0]!.id })).events;
		expect(resumed.map((e) => [e.id, e.data.status])).toEqual(all.slice(1).map((e) => [e.id, e.data.status]));
		const none = (await readEventStream(job.id, { lastEventId: all[2]!.id })).events;
		expect(none).toEqual([]);
	});

	it("answers 404 for an unknown id and for another tenant's job, 401 without a key, 400 for a bad Last-Event-ID", async () => {
		const job = await queuedRender();
		const other = await api(`/v1/renders/${job.id}/events`, { key: TEST_KEYS.globex });
		expect(other.status).toBe(404);
		expect(await other.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
		expect((await api("/v1/renders/ren_00000000000000000000000000/events")).status).toBe(404);
		expect((await api("/v1/renders/nope/events")).status).toBe(404);
		expect((await api(`/v1/renders/${job.id}/events`, { key: null })).status).toBe(401);
		const bad = await api(`/v1/renders/${job.id}/events`, { headers: { "last-event-id": "x1" } });
		expect(bad.status).toBe(400);
		expect(await bad.json()).toMatchObject({ error: { code: "INVALID_REQUEST" } });
	});
});

describe("a stream that waits", () => {
	it("sends a keep-alive comment while nothing happens and the next status as soon as it is stored", async () => {
		// Stored straight into its Durable Object, without a queue message: it stays queued until canceled.
		const { job } = await storedJob();
		const res = await api(`/v1/renders/${job.id}/events`);
		expect(res.status).toBe(200);
		// The first keep-alive comment (after the queued event) triggers the cancel; the stream then runs to its end.
		let canceled: Promise<Response> | null = null;
		const stream = await collectSse(res.body!, () => {
			canceled ??= api(`/v1/renders/${job.id}`, { method: "DELETE" });
		});
		expect(stream.comments[0]).toBe("keep-alive");
		expect((await canceled!)?.status).toBe(200);
		expect(stream.events.map((e) => [e.event, e.data.status])).toEqual([
			["status", "queued"],
			["status", "canceled"],
		]);
	});
});

describe("a job older than the event log", () => {
	it("streams its current state as its first event", async () => {
		const { job, stub } = await storedJob();
		expect((await api(`/v1/renders/${job.id}`, { method: "DELETE" })).status).toBe(200);
		await runInDurableObject(stub, async (_instance: JobObject, state) => {
			state.storage.sql.exec("DELETE FROM job_events");
		});
		const { events } = await readEventStream(job.id);
		expect(events.map((e) => [e.id, e.event, e.data.status])).toEqual([[1, "status", "canceled"]]);
	});
});
