// Worker side: runs inside workerd, imported by the tests.
// Reads GET /v1/renders/{id}/events with the same SSE reader the playground and the demo use.
import type { Job } from "../../../src/schemas/job";
import { sseEvents } from "../../../src/public/static/sse.js";
import { api } from "./api";

export interface SseEvent {
	id: number;
	event: string;
	data: Job;
}

export interface SseStream {
	events: SseEvent[];
	comments: string[];
}

/** Collects every frame of `body` until the server ends the stream; `onComment` sees each comment line as it arrives. */
export async function collectSse(body: ReadableStream<Uint8Array>, onComment: (comment: string) => void = () => {}): Promise<SseStream> {
	const stream: SseStream = { events: [], comments: [] };
	const frames = sseEvents(body, (comment) => {
		stream.comments.push(comment);
		onComment(comment);
	});
	for await (const frame of frames) stream.events.push({ id: Number(frame.id), event: frame.event, data: JSON.parse(frame.data) as Job });
	return stream;
}

/** GET /v1/renders/{id}/events (with `env`: the Worker runs with it) and reads until the server ends the stream (or `timeoutMs` passes: then throws). */
export async function readEventStream(id: string, init: { key?: string | null; lastEventId?: number; timeoutMs?: number; env?: Env } = {}): Promise<SseStream> {
	const headers = init.lastEventId === undefined ? undefined : { "last-event-id": String(init.lastEventId) };
	const res = await api(`/v1/renders/${id}/events`, { key: init.key, headers, env: init.env });
	if (res.status !== 200) throw new Error(`events ${id}: ${res.status} ${await res.text()}`);
	if (!res.headers.get("content-type")?.startsWith("text/event-stream")) throw new Error(`events ${id}: content-type ${res.headers.get("content-type")}`);
	const timeoutMs = init.timeoutMs ?? 45_000;
	return Promise.race([
		collectSse(res.body!),
		new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`events ${id}: stream still open after ${timeoutMs} ms`)), timeoutMs)),
	]);
}
