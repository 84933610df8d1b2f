// GET /v1/renders/{id}/events: the job's live status as Server-Sent Events, read from the job's
// event log (src/jobs/event-log.ts) with a long poll on its Durable Object.
import { createRoute, z } from "@hono/zod-openapi";
import type { JobEvent, JobEventPage } from "../jobs/event-log";
import { isJobId, jobStub } from "../jobs/ids";
import { jobView } from "../jobs/view";
import { config } from "../config";
import { logError } from "../log";
import { errorResponse } from "../schemas/error";
import { ApiError } from "./errors";
import { unauthorized } from "./responses";
import { createRouter } from "./router";
import { MAX_OPEN_STREAMS, takeStreamSlot } from "./stream-slot";

/** Longest silence between two writes: a keep-alive comment follows each empty long poll (proxies cut idle streams at 30-100 s). */
export const KEEP_ALIVE_MS = 10_000;

/** Sent first (`retry:`): a client that reconnects by itself (EventSource and its kin) comes back this soon after a stream ends at its time limit. */
export const RECONNECT_MS = 3000;

const renderEvents = createRoute({
	method: "get",
	path: "/{id}/events",
	operationId: "streamRenderEvents",
	summary: "Live status of a render (Server-Sent Events)",
	description: [
		"One `status` event per stored status and one `webhook` event per webhook attempt, each with an increasing `id:` and the job object as `data:`.",
		"The stream ends after the terminal status once the webhook, if any, has been delivered, has failed, or waits for a scheduled retry.",
		"`Last-Event-ID` resumes after that event. A `: keep-alive` comment is sent at least every 15 s.",
		`A stream also ends after 15 minutes (the EVENT_STREAM_MAX_SECONDS var): resume it with \`Last-Event-ID\`. A tenant may hold ${MAX_OPEN_STREAMS} open streams at once; past that, 429 with Retry-After.`,
	].join(" "),
	request: {
		params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "ren_01jd7y3k9q2x4m5n6p7r8s9t0v" }) }),
		headers: z.object({
			"last-event-id": z
				.string()
				.regex(/^\d{1,15}$/, "an event id from this stream")
				.optional()
				.openapi({ description: "Resume after this event (sent by EventSource on reconnect)" }),
		}),
	},
	responses: {
		200: {
			description: "An event stream",
			content: { "text/event-stream": { schema: z.string().openapi({ example: 'id: 1\nevent: status\ndata: {"id":"ren_…","status":"queued",…}\n\n' }) } },
		},
		400: errorResponse("Invalid Last-Event-ID"),
		401: unauthorized,
		404: errorResponse("No such job for this tenant"),
		429: errorResponse(`The tenant already has ${MAX_OPEN_STREAMS} open event streams (RATE_LIMITED); see Retry-After`, "Retry-After"),
		500: errorResponse("Internal error"),
	},
});

/** One SSE frame; the job object is JSON on a single line, so one `data:` line suffices. */
export function sseFrame(event: JobEvent, data: unknown): string {
	return `id: ${event.seq}\nevent: ${event.kind}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The event's job object as GET returns it: the document, once succeeded, signed afresh from the job now. */
async function eventData(env: Env, event: JobEvent, page: JobEventPage) {
	if (event.view.status !== "succeeded") return event.view;
	return { ...event.view, document: (await jobView(env, page.job)).document };
}

export const events = createRouter().openapi(renderEvents, async (c) => {
	const { id } = c.req.valid("param");
	const after = Number(c.req.valid("header")["last-event-id"] ?? 0);
	const stub = isJobId(id) ? jobStub(c.env, id) : null;
	const first = stub ? await stub.eventsSince(c.var.tenantId, after) : null;
	if (!stub || !first) throw new ApiError(404, "NOT_FOUND", `no render ${id}`);
	const slot = await takeStreamSlot(c.env, c.var.tenantId);
	const endsAt = Date.now() + config(c.env).eventStreamMaxMs;

	const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
	const writer = writable.getWriter();
	const encoder = new TextEncoder();
	const tenantId = c.var.tenantId;
	const abort = c.req.raw.signal;
	const pump = async () => {
		await writer.write(encoder.encode(`retry: ${RECONNECT_MS}\n\n`));
		let page: JobEventPage | null = first;
		let cursor = after;
		while (page && !abort.aborted) {
			for (const event of page.events) {
				await writer.write(encoder.encode(sseFrame(event, await eventData(c.env, event, page))));
				cursor = event.seq;
			}
			if (page.ended) break;
			// Past its time limit the stream ends; the client resumes after `cursor` with Last-Event-ID.
			const left = endsAt - Date.now();
			if (left <= 0) break;
			if (page.events.length === 0) await writer.write(encoder.encode(": keep-alive\n\n"));
			if (!(await slot.renew())) break;
			page = await stub.eventsSince(tenantId, cursor, Math.min(KEEP_ALIVE_MS, left));
		}
	};
	// A client that went away makes writes fail: that ends the loop. Whichever way it ends, the slot is freed.
	c.executionCtx.waitUntil(
		pump()
			.catch((err: unknown) => {
				if (!abort.aborted) logError({ msg: "event stream failed", jobId: id, error: String(err) });
			})
			.finally(() => Promise.all([writer.close().catch(() => undefined), slot.release()])),
	);
	return new Response(readable, {
		status: 200,
		headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no" },
	});
});
