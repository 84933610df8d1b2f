// Types for receiver.mjs, for the TypeScript tests that receive webhooks from the local stack.
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
}
export interface Receiver {
	origin: string;
	url: string;
	events: ReceivedEvent[];
	eventsFor: (jobId: string) => ReceivedEvent[];
	waitFor: (predicate: (receiver: Receiver) => boolean, options?: { timeoutMs?: number; intervalMs?: number }) => Promise<boolean>;
	close: () => Promise<void>;
}
export function fetchWebhookSecret(origin: string, apiKey: string): Promise<string>;
export function startReceiver(options: { secret: string; host?: string; port?: number; path?: string; maxBodyBytes?: number }): Promise<Receiver>;
