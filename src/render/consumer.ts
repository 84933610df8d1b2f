// Render queue consumer: each message carries only a job id. Jobs of a batch share one browser.
import { clampDelay } from "../config";
import { jobStub } from "../jobs/ids";
import { SharedBrowser } from "./browser";
import { log } from "../log";
import { parseMessage, sendRender, UNKNOWN_FAILURE_DELAY_SECONDS } from "../queue-message";
import type { Lane } from "../tenants/render-slots";
import { RenderMessage } from "../schemas/queue";
import { runJob } from "./run-job";

/**
 * A job that cannot render now is sent again rather than retried: waiting for its tenant's turn is
 * not a failed delivery, and retries count toward max_retries and the dead-letter queue.
 */
async function sendAgain(env: Env, jobId: string, lane: Lane, result: { kind: "wait"; retryAfterSeconds: number } | { kind: "divert" }): Promise<void> {
	await sendRender(env, jobId, result.kind === "wait" ? clampDelay(result.retryAfterSeconds) : 0, result.kind === "divert" ? "slow" : lane);
}

async function handleMessage(message: Message<unknown>, env: Env, browser: SharedBrowser, lane: Lane): Promise<void> {
	// A malformed body names no job to render or to fail.
	const body = parseMessage(message, RenderMessage, "render");
	if (!body) return;
	const { jobId } = body;
	try {
		const result = await runJob(env, jobId, browser, lane);
		if (result.kind === "retry") message.retry({ delaySeconds: clampDelay(result.delaySeconds) });
		else if (result.kind === "busy") message.retry({ delaySeconds: clampDelay(result.retryAfterSeconds) });
		else if (result.kind === "wait" || result.kind === "divert") {
			await sendAgain(env, jobId, lane, result);
			message.ack();
		} else message.ack();
		log({ msg: "render message handled", jobId, lane, result: result.kind, delivery: message.attempts });
	} catch (err) {
		// The job object itself could not be reached: never ack what we do not understand.
		log({ msg: "render message failed", jobId, error: String(err) });
		message.retry({ delaySeconds: UNKNOWN_FAILURE_DELAY_SECONDS });
	}
}

/**
 * Each message is acked or retried as soon as its own job ends; the batch's browser connection is
 * released when the last one does. Slow tenants' jobs travel on the slow lane (its own queue and
 * consumer), so a batch here rarely waits on a page that runs to its deadline.
 */
async function handleBatch(batch: MessageBatch<unknown>, env: Env, lane: Lane): Promise<void> {
	const browser = new SharedBrowser(env);
	try {
		await Promise.all(batch.messages.map((message) => handleMessage(message, env, browser, lane)));
	} finally {
		await browser.release();
	}
}

export const handleRenderBatch = (batch: MessageBatch<unknown>, env: Env) => handleBatch(batch, env, "fast");
export const handleSlowRenderBatch = (batch: MessageBatch<unknown>, env: Env) => handleBatch(batch, env, "slow");

/** Render dead-letter queue: a job whose messages were exhausted still ends, as failed. */
export async function handleRenderDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
	for (const message of batch.messages) {
		const body = parseMessage(message, RenderMessage, "render-dlq");
		if (!body) continue;
		try {
			const outcome = await jobStub(env, body.jobId).failIfActive({ code: "INTERNAL", message: "the render queue gave up on this job" });
			log({ msg: "render dead letter", jobId: body.jobId, failed: outcome.ok });
			message.ack();
		} catch (err) {
			log({ msg: "render dead letter failed", jobId: body.jobId, error: String(err) });
			message.retry({ delaySeconds: UNKNOWN_FAILURE_DELAY_SECONDS });
		}
	}
}
