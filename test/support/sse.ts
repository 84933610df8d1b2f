// Reads a text/event-stream response to its end (bounded), as frames and comment lines.
import type { Job } from "../../src/schemas/job";
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

/** Parses complete frames; `id`, `event` and one-line `data` are all this API sends. */
export function parseSse(text: string): SseStream {
	const events: SseEvent[] = [];
	const comments: string[] = [];
	for (const block of text.split("\n\n")) {
		const fields = new Map<string, string>();
		for (const line of block.split("\n")) {
			if (line.startsWith(":")) comments.push(line);
			const at = line.indexOf(": ");
			if (at > 0) fields.set(line.slice(0, at), line.slice(at + 2));
		}
		if (fields.has("data")) events.push({ id: Number(fields.get("id")), event: fields.get("event") ?? "message", data: JSON.parse(fields.get("data")!) as Job });
	}
	return { events, comments };
}

/** GET /v1/renders/{id}/events and reads until the server ends the stream (or `timeoutMs` passes: then throws). */
export async function readEventStream(id: string, init: { key?: string | null; lastEventId?: number; timeoutMs?: number } = {}): Promise<SseStream> {
	const headers = init.lastEventId === undefined ? undefined : { "last-event-id": String(init.lastEventId) };
	const res = await api(`/v1/renders/${id}/events`, { key: init.key, headers });
	if (res.status !== 200) throw new Error(`events ${id}: ${res.status} ${await res.text()}`);
	if (!res.headers.get("content-type")?.startsWith("text/event-stream")) throw new Error(`events ${id}: content-type ${res.headers.get("content-type")}`);
	const text = await Promise.race([
		res.text(),
		new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`events ${id}: stream still open after ${init.timeoutMs ?? 45_000} ms`)), init.timeoutMs ?? 45_000)),
	]);
	return parseSse(text);
}
