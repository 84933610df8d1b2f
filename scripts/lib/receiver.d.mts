// Types of receiver.mjs for the TypeScript tests (the fixture server and the playground test import it).
import type { IncomingMessage, Server, ServerResponse } from "node:http";

export interface ReceivedEvent {
	seq: number;
	webhookId: string | null;
	jobId: string | null;
	type: string | null;
	status: string | null;
	documentUrl: string | null;
	method: string;
	path: string;
	arrivedAt: number;
	valid: boolean;
	error: string | null;
	bytes: number;
	headers: Record<string, string>;
	body: string;
}

export interface Answer {
	status: number;
	headers?: Record<string, string>;
	hang?: boolean;
	hold?: boolean;
}

export interface ReceiverHandler {
	handle(req: IncomingMessage, res: ServerResponse): void;
	events: ReceivedEvent[];
	counts(): { received: number; valid: number; invalid: number; distinctIds: number; duplicates: number; jobs: number };
	eventsFor(jobId: string): ReceivedEvent[];
	waitFor(predicate: (receiver: ReceiverHandler) => boolean, options?: { timeoutMs?: number; intervalMs?: number }): Promise<boolean>;
	release(): void;
}

export function receiverHandler(options: {
	secret?: string;
	secretFor?: (req: IncomingMessage) => string | null;
	answer?: (event: ReceivedEvent, req: IncomingMessage) => Answer;
	path?: string | null;
	maxBodyBytes?: number;
}): ReceiverHandler;

/** A receiver listening on its own port (the demo, the benchmark and the playground test use one). */
export type Receiver = ReceiverHandler & { origin: string; url: string; close(): Promise<void>; server: Server };

export function startReceiver(options: { secret: string; host?: string; port?: number; path?: string; maxBodyBytes?: number }): Promise<Receiver>;

export function fetchWebhookSecret(origin: string, apiKey: string): Promise<string>;
