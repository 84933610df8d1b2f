// The delivery step of the render pipeline: after printing, a job with a destination
// records its stored PDF and delivers it; a queued retry of such a job comes straight here.
import { storedKeys } from "../storage/outputs";
import { jobStub } from "../jobs/ids";
import type { JobRecord } from "../schemas/job-record";
import { log } from "../log";
import type { JobError } from "../schemas/job";
import type { RenderReport } from "../schemas/report";
import type { StoredDocument } from "../storage/documents";
import { deliverDocument } from "../destinations/upload";

/** The render pipeline's result kinds this step can end in (a subset of run-job's RunResult). */
export type StepResult =
	| { kind: "succeeded"; document: StoredDocument }
	| { kind: "retry"; delaySeconds: number; error: JobError }
	| { kind: "failed"; error: JobError }
	| { kind: "skipped"; status: string };

/** Right after printing: the job keeps its stored PDF and delivery starts. */
export async function deliverAfterPrint(
	env: Env,
	job: JobRecord,
	document: StoredDocument,
	timings: { renderMs: number; storeMs: number },
	report: RenderReport,
): Promise<StepResult> {
	const started = await jobStub(env, job.id).stored(document, timings, { attempt: job.attempts, report });
	if (!started.ok) {
		// Canceled while we rendered: no document may outlive the cancel. A newer attempt owns the
		// same keys now, so a superseded one leaves them alone.
		if (started.status !== "superseded") await env.DOCUMENTS.delete(storedKeys(document));
		return { kind: "skipped", status: started.status };
	}
	return deliverStored(env, started.job);
}

/** One delivery try of a job whose PDF is stored, and what the job does next. */
export async function deliverStored(env: Env, job: JobRecord): Promise<StepResult> {
	const outcome = await deliverDocument(env, job);
	const decision = await jobStub(env, job.id).endDelivery(outcome);
	const base = { msg: "delivery", phase: "deliver", jobId: job.id, tenantId: job.tenantId, try: job.delivery?.tries ?? 0, result: decision.kind };
	if (decision.kind === "delivered" && job.document) {
		log(base);
		return { kind: "succeeded", document: job.document };
	}
	if (decision.kind === "retry") {
		log({ ...base, delaySeconds: decision.delaySeconds, error: decision.error.message });
		return { kind: "retry", delaySeconds: decision.delaySeconds, error: decision.error };
	}
	if (decision.kind === "failed") {
		log({ ...base, code: decision.error.code, error: decision.error.message });
		return { kind: "failed", error: decision.error };
	}
	return { kind: "skipped", status: decision.kind };
}
