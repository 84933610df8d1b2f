// What every queue consumer does with a message body before its own work: parse it with zod.
// A body that can never be handled is acked and logged, not retried until the dead-letter queue.
import type { z } from "@hono/zod-openapi";
import { log } from "./log";

/** Before retrying a message whose failure we do not understand (never acked). */
export const UNKNOWN_FAILURE_DELAY_SECONDS = 10;

export function parseMessage<T>(message: Message<unknown>, schema: z.ZodType<T>, queue: string): T | null {
	const parsed = schema.safeParse(message.body);
	if (parsed.success) return parsed.data;
	log({ msg: "malformed message dropped", queue, id: message.id });
	message.ack();
	return null;
}
