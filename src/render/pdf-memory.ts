// The whole-PDF budget: steps that hold a whole PDF in the isolate's memory (merging parts today;
// stamps, PDF/A and signing later) are bounded in bytes and objects, and run one at a time per
// isolate. An isolate has 128 MiB, shared by every request and queue job it serves, and pdf-lib's
// object graph is many times the size of the PDF it reads, so two such steps at once could take
// it over. The limits come from workerd's resident memory measured from outside
// (scripts/measure-merge.mjs, docs/performance.md "Merging memory").
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
