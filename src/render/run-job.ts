// One render attempt of one job: claim it from its Durable Object, print, store in R2, report back.
// Shared by the render queue consumer and the synchronous API path.
import { config } from "../config";
import { log, logError } from "../log";
import { jobStub } from "../jobs/ids";
import type { JobRecord } from "../jobs/record";
import type { Lane } from "../tenants/render-slots";
import { PAGE_FAULTS, type JobError } from "../schemas/job";
import { contentDisposition, type StoredDocument } from "../storage/documents";
import { storedKeys } from "../storage/outputs";
import { TooLarge, uploadPdf } from "../storage/pdf-upload";
import { UnreadablePdf } from "../pdf/scanner";
import { CONTENT_TYPES } from "../schemas/outputs";
import { renderBudgetMs } from "../jobs/budget";
import { bounded, browserStopped, classify, CONNECTION_SETTLE_MS, mayBeConnectionLoss, RenderFailure } from "./errors";
import { produce } from "./produce";
import { JobFonts } from "./tenant-fonts";
import { readSource, type StoreAs } from "./attempt-inputs";
import type { Browser } from "@cloudflare/puppeteer";
import { connectionLost, type SharedBrowser } from "./browser";
import { deliverAfterPrint, deliverStored } from "./delivery-step";
import { ReportDraft } from "./report-draft";

export type RunResult =
	| { kind: "succeeded"; document: StoredDocument }
	| { kind: "retry"; delaySeconds: number; error: JobError }
	| { kind: "failed"; error: JobError }
	| { kind: "busy"; retryAfterSeconds: number }
	/** Not now: over the tenant's render cap (wait), or the tenant's pages belong on the slow lane (divert). */
	| { kind: "wait"; retryAfterSeconds: number }
	| { kind: "divert" }
	/** Nothing to do: finished already (a duplicate delivery), canceled meanwhile, or unknown. */
	| { kind: "skipped"; status: string };

async function loadHtml(env: Env, job: JobRecord): Promise<string | null> {
	return job.sourceKey ? readSource(env, job.sourceKey) : null;
}

/** A page that kept the renderer busy or crashed it gets one more attempt, not RENDER_MAX_ATTEMPTS. */
const MAX_PAGE_FAULT_ATTEMPTS = 2;

/**
 * Time beyond the page's render budget for reading the source, getting a browser and storing the
 * result. Shorter than the job's lease margin (LEASE_MARGIN_MS, 60 s), so an attempt always gives up
 * before its lease lapses and another attempt may start.
 */
const STORE_MARGIN_MS = 45_000;

/** Largest PDF we store; past it the job fails with CONTENT_TOO_LARGE. */
export const MAX_PDF_BYTES = 100 * 1024 * 1024;

async function store(env: Env, job: JobRecord, pdf: ReadableStream<Uint8Array>, as: StoreAs, report: ReportDraft): Promise<StoredDocument> {
	const { key, contentType } = as;
	const options = {
		httpMetadata: { contentType, contentDisposition: contentDisposition(job.filename) },
		customMetadata: { jobId: job.id, tenantId: job.tenantId },
	};
	try {
		const uploaded = await uploadPdf(env.DOCUMENTS, key, pdf, options, MAX_PDF_BYTES, contentType === CONTENT_TYPES.pdf);
		// Read from the PDF as it streamed to storage: its fonts and accessibility facts.
		report.stored(uploaded.facts);
		// An image is one page.
		const pages = uploaded.pages ?? 1;
		return { key, filename: job.filename, sizeBytes: uploaded.sizeBytes, pages, sha256: uploaded.sha256, etag: uploaded.etag, contentType };
	} catch (err) {
		if (err instanceof TooLarge) throw new RenderFailure("CONTENT_TOO_LARGE", `the PDF is larger than ${err.limit} bytes`, false);
		if (err instanceof UnreadablePdf) {
			// Our producers all write a classic xref and a plain page tree; one that did not is our bug,
			// so the job fails rather than report a page count nobody read. The cause goes to the log.
			logError({ msg: "pdf page tree unreadable", jobId: job.id, tenantId: job.tenantId, error: err.message });
			throw new RenderFailure("INTERNAL", "the PDF's page tree could not be read", false);
		}
		// R2's own text goes to the log (redacted), not into the job's error.
		logError({ msg: "pdf store failed", jobId: job.id, tenantId: job.tenantId, error: String(err) });
		throw new RenderFailure("STORAGE_FAILED", "could not store the PDF", true);
	}
}

async function attempt(env: Env, job: JobRecord, getBrowser: () => Promise<Browser>, report: ReportDraft): Promise<RunResult> {
	let started = Date.now();
	let printed = started;
	let printing = false;
	const deadline = started + renderBudgetMs(job);
	const production = async () => {
		// Fonts are looked up when the job runs: a face saved or deleted since it was accepted counts.
		const [html, fonts] = await Promise.all([loadHtml(env, job), JobFonts.forTenant(env, job.tenantId)]);
		const browser = await getBrowser();
		started = Date.now();
		printed = started;
		return produce({
			env,
			job,
			html,
			browser,
			fonts,
			policy: { allowPrivateNetwork: config(env).allowPrivateNetwork },
			deadline,
			onPrinted: () => {
				printed = Date.now();
				printing = true;
			},
			report,
			store: (body, as) => store(env, job, body, as, report),
		});
	};
	// The page's own budget bounds each step; this bounds the whole attempt from its claim, should the
	// browser stop answering, and ends it before the job's lease lapses (STORE_MARGIN_MS < LEASE_MARGIN_MS).
	// Past the page phase (which its own deadline bounds) only storing can be slow; before it, the browser.
	const overrun = () => (printing ? new RenderFailure("STORAGE_FAILED", "storing the result did not finish in time", true) : browserStopped("print")());
	const document = await bounded(production(), renderBudgetMs(job) + STORE_MARGIN_MS, overrun);
	// Chrome streams the PDF while it is uploaded: render time runs to the first byte, store time after it.
	const timings = { renderMs: printed - started, storeMs: Date.now() - printed };
	// The delivery step: a job with a destination is delivered from the stored PDF before it succeeds.
	if (job.destination) return deliverAfterPrint(env, job, document, timings, report.build());
	const outcome = await jobStub(env, job.id).complete(document, timings, { attempt: job.attempts, report: report.build() });
	if (!outcome.ok) {
		// Canceled while we rendered: no document may outlive the cancel. A newer attempt owns the
		// same keys now, so a superseded one leaves them alone.
		if (outcome.status !== "superseded") await env.DOCUMENTS.delete(storedKeys(document));
		return { kind: "skipped", status: outcome.status };
	}
	log({
		msg: "render succeeded",
		phase: "complete",
		jobId: job.id,
		tenantId: job.tenantId,
		attempt: job.attempts,
		...timings,
		sizeBytes: document.sizeBytes,
		pages: document.pages,
	});
	return { kind: "succeeded", document };
}

export async function runJob(env: Env, jobId: string, browser: SharedBrowser, lane: Lane): Promise<RunResult> {
	const stub = jobStub(env, jobId);
	const claim = await stub.claim({ lane, cap: config(env).tenantMaxConcurrentRenders });
	if (claim.kind === "done") return { kind: "skipped", status: claim.status };
	// The delivery step: the PDF is stored already; a retry delivers it without printing again.
	if (claim.kind === "deliver") return deliverStored(env, claim.job);
	if (claim.kind !== "render") return claim;
	const job = claim.job;
	// The browser this attempt printed with: another job of the batch may swap the shared one meanwhile.
	let used: Browser | null = null;
	// What this attempt saw, for the job's report: kept if the attempt ends the job, success or failure.
	const report = new ReportDraft(job.parts?.length ?? 0);
	try {
		return await attempt(env, job, async () => (used = await browser.get()), report);
	} catch (err) {
		const failure = classify(err, { connectionLost: await connectionLost(used, mayBeConnectionLoss(err) ? CONNECTION_SETTLE_MS : 0) });
		if (failure.code === "BROWSER_UNAVAILABLE") browser.discard(used);
		const transient = failure.transient && !(PAGE_FAULTS.has(failure.code) && job.attempts >= MAX_PAGE_FAULT_ATTEMPTS);
		log({
			msg: "render attempt failed",
			phase: "render",
			jobId,
			tenantId: job.tenantId,
			attempt: job.attempts,
			code: failure.code,
			transient,
			error: failure.message,
		});
		const decision = await stub.attemptFailed(failure.toJobError(), transient, { attempt: job.attempts, report: report.build() });
		return decision.retry
			? { kind: "retry", delaySeconds: decision.delaySeconds, error: failure.toJobError() }
			: { kind: "failed", error: failure.toJobError() };
	}
}
