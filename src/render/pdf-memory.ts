// The whole-PDF budget: steps that hold a whole PDF in the isolate's memory (merging parts and
// finishing: stamps today; PDF/A and signing later) are bounded in bytes and objects, and run one at a time per
// isolate. An isolate has 128 MiB, shared by every request and queue job it serves, and pdf-lib's
// object graph is many times the size of the PDF it reads, so two such steps at once could take
// it over. The limits come from workerd's resident memory measured from outside
// (scripts/measure-merge.mjs, docs/performance.md "Merging memory").
import { declaredObjectCount } from "../pdf/object-count";
import { RenderFailure } from "./errors";

/** Largest whole PDF (over all its parts) one step may hold. */
export const WHOLE_PDF_MAX_BYTES = 4 * 1024 * 1024;
/** Most objects (the parts' declared /Size, summed) one step may hold: pdf-lib allocates per object. */
export const WHOLE_PDF_MAX_OBJECTS = 5_000;

/** The lock's state, observable: how many steps run and wait now, and the most that ever ran at once. */
export interface WholePdfState {
	running: number;
	waiting: number;
	mostRunning: number;
}

const state: WholePdfState = { running: 0, waiting: 0, mostRunning: 0 };
/** Who has the turn (a ticket), and who waits for it, in arrival order. */
let owner: number | null = null;
const queue: number[] = [];
let tickets = 0;

/**
 * How often a waiter looks whether the turn is its own. The turn passes by assignment, never by
 * settling the waiter's promise from the step that ends: a promise created in one request (or queue
 * invocation) and settled from another runs its continuation under workerd's cross-request rules
 * (refused across Durable Objects, cancelled once its creator has ended), so each waiter watches
 * from its own context. A merge takes seconds; a few milliseconds of latency are nothing next to it.
 */
const LOOK_EVERY_MS = 20;

export function wholePdfState(): Readonly<WholePdfState> {
	return { ...state };
}

/** Returns when it is this caller's turn; throws at `deadline` (epoch ms), leaving the queue. */
async function turn(deadline: number): Promise<number> {
	const ticket = ++tickets;
	if (owner === null) {
		owner = ticket;
		return ticket;
	}
	queue.push(ticket);
	state.waiting += 1;
	try {
		while (owner !== ticket) {
			// Past its deadline a job gives up its place rather than hang past its budget (and its lease).
			if (Date.now() >= deadline) {
				queue.splice(queue.indexOf(ticket), 1);
				throw new RenderFailure("INTERNAL", "the worker was busy with other whole-PDF work (merges) until the job's time budget ran out", true);
			}
			await new Promise((resolve) => setTimeout(resolve, Math.min(LOOK_EVERY_MS, Math.max(0, deadline - Date.now()))));
		}
		return ticket;
	} finally {
		state.waiting -= 1;
	}
}

/** Runs `fn` when no other whole-PDF step runs in this isolate, waiting in turn until `deadline` at most. */
export async function withWholePdf<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
	await turn(deadline);
	state.running += 1;
	state.mostRunning = Math.max(state.mostRunning, state.running);
	try {
		return await fn();
	} finally {
		state.running -= 1;
		owner = queue.shift() ?? null;
	}
}

/** Reads a PDF stream into memory; past `room` bytes it stops reading and throws `tooLarge()`. */
export async function collectBytes(pdf: ReadableStream<Uint8Array>, room: number, tooLarge: () => RenderFailure): Promise<Uint8Array> {
	const chunks: Uint8Array[] = [];
	let size = 0;
	for await (const chunk of pdf) {
		size += chunk.byteLength;
		if (size > room) {
			await pdf.cancel().catch(() => undefined);
			throw tooLarge();
		}
		chunks.push(chunk);
	}
	// A stream of one chunk is the PDF already: no second copy.
	if (chunks.length === 1 && chunks[0]) return chunks[0];
	const bytes = new Uint8Array(size);
	let at = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, at);
		at += chunk.byteLength;
	}
	return bytes;
}

/** The PDF's objects (its declared /Size); CONTENT_TOO_LARGE with `tooMany` past `room`. */
export function countObjects(bytes: Uint8Array, room: number, what: string, tooMany: string): number {
	const objects = declaredObjectCount(bytes);
	if (objects === null) throw new RenderFailure("INTERNAL", `${what} has no readable cross-reference trailer`, false);
	if (objects > room) throw new RenderFailure("CONTENT_TOO_LARGE", tooMany, false);
	return objects;
}
