// Render queue consumer: each message carries only a job id. Jobs of a batch share one browser.
import { clampDelay } from "../config";
import { jobStub } from "../jobs/ids";
import { SharedBrowser } from "./browser";
import { log } from "../log";
import { parseMessage, UNKNOWN_FAILURE_DELAY_SECONDS } from "../queue-message";
import { RenderMessage } from "../schemas/queue";
import { runJob } from "./run-job";

async function handleMessage(message: Message<unknown>, env: Env, browser: SharedBrowser): Promise<void> {
	// A malformed body names no job to render or to fail.
	const body = parseMessage(message, RenderMessage, "render");
	if (!body) return;
	const { jobId } = body;
	try {
		const result = await runJob(env, jobId, browser);
		if (result.kind === "retry") message.retry({ delaySeconds: clampDelay(result.delaySeconds) });
		else if (result.kind === "busy") message.retry({ delaySeconds: clampDelay(result.retryAfterSeconds) });
		else message.ack();
		log({ msg: "render message handled", jobId, result: result.kind, delivery: message.attempts });
	} catch (err) {
		// The job object itself could not be reached: never ack what we do not understand.
		log({ msg: "render message failed", jobId, error: String(err) });
		message.retry({ delaySeconds: UNKNOWN_FAILURE_DELAY_SECONDS });
	}
}

export async function handleRenderBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
	const browser = new SharedBrowser(env);
	try {
		await Promise.all(batch.messages.map((message) => handleMessage(message, env, browser)));
	} finally {
		await browser.release();
	}
}

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
