// Both ends of the queues. Producers send through sendRender/sendWebhook, consumers parse with
// parseMessage: the bodies are the schemas of src/schemas/queue.ts on both sides.
// A body that can never be handled is acked and logged, not retried until the dead-letter queue.
import type { z } from "@hono/zod-openapi";
import { log } from "./log";
import { RenderMessage, WebhookMessage } from "./schemas/queue";

/** Before retrying a message whose failure we do not understand (never acked). */
export const UNKNOWN_FAILURE_DELAY_SECONDS = 10;

export function parseMessage<T>(message: Message<unknown>, schema: z.ZodType<T>, queue: string): T | null {
	const parsed = schema.safeParse(message.body);
	if (parsed.success) return parsed.data;
	log({ msg: "malformed message dropped", queue, id: message.id });
	message.ack();
	return null;
}

/** Puts a job on the render queue (or the slow lane's: same message, its own consumer), optionally after a delay. */
export async function sendRender(env: Env, jobId: string, delaySeconds?: number, lane: "fast" | "slow" | "sync" = "fast"): Promise<void> {
	const body = RenderMessage.parse({ jobId });
	const queue = lane === "slow" ? env.RENDER_SLOW_QUEUE : env.RENDER_QUEUE;
	await (delaySeconds === undefined ? queue.send(body) : queue.send(body, { delaySeconds }));
}

/** Puts an event's attempt series on the webhook queue or its dead-letter queue. */
export async function sendWebhook(queue: Queue, message: WebhookMessage): Promise<void> {
	await queue.send(WebhookMessage.parse(message));
}
