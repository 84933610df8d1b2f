// edge-pdf: HTTP API (Hono), render queue consumer, render dead-letter consumer, job Durable Object.
import { app } from "./api/app";
import { handleRenderBatch, handleRenderDeadLetters } from "./render/consumer";

export { JobObject } from "./jobs/job-object";

type QueueHandlers = Record<string, (batch: MessageBatch<unknown>, env: Env) => Promise<void>>;

/** Queues by name; `-dlq` and the environment suffix wrangler may add are matched by prefix order. */
const QUEUES: QueueHandlers = {
	"edge-pdf-render": handleRenderBatch,
	"edge-pdf-render-dlq": handleRenderDeadLetters,
};

export default {
	fetch: app.fetch,
	async queue(batch, env) {
		const handler = QUEUES[batch.queue];
		if (!handler) throw new Error(`no consumer for queue ${batch.queue}`);
		await handler(batch, env);
	},
} satisfies ExportedHandler<Env, unknown>;
