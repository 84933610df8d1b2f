// The inputs of one attempt's production step, shared by the PDF, screenshot and merge paths.
import { logError } from "../log";
import type { Browser } from "@cloudflare/puppeteer";
import type { JobRecord } from "../jobs/record";
import type { ContentType } from "../schemas/outputs";
import type { UrlPolicy } from "../security/url-policy";
import type { StoredDocument } from "../storage/documents";
import { RenderFailure } from "./errors";
import type { PrintInput } from "./print";
import type { ReportDraft } from "./report-draft";
import type { JobFonts } from "./tenant-fonts";

/** Where a document goes: its R2 key and content type. */
export interface StoreAs {
	key: string;
	contentType: ContentType;
}

export interface Production {
	env: Env;
	job: JobRecord;
	/** The job's inline HTML (or rendered template), when it has one. */
	html: string | null;
	browser: Browser;
	policy: UrlPolicy;
	/** The tenant's fonts, looked up when the attempt starts (null: none). */
	fonts: JobFonts | null;
	/**
	 * When the attempt's page phase must be over (epoch ms): a step waiting for the isolate's
	 * whole-PDF turn gives up then, leaving the attempt its margin to fail cleanly within its lease.
	 */
	deadline: number;
	/** Called once the page phase is over and the document starts going to storage. */
	onPrinted: () => void;
	/** The attempt's render report as it is gathered: pages hand it their observations. */
	report: ReportDraft;
	store: (body: ReadableStream<Uint8Array>, as: StoreAs) => Promise<StoredDocument>;
}

export function printInput(p: Production): PrintInput {
	return { url: p.job.url, html: p.html, pdf: p.job.pdf, page: p.job.page, observe: p.report.sink(), fonts: p.fonts };
}

export function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
	return new Blob([bytes]).stream();
}

/** Inline HTML the API stashed in R2 for the consumer. */
export async function readSource(env: Env, key: string): Promise<string> {
	const object = await env.DOCUMENTS.get(key).catch((err: unknown) => {
		// R2's own text goes to the log (redacted), not into the job's error.
		logError({ msg: "html source read failed", key, error: String(err) });
		throw new RenderFailure("STORAGE_FAILED", "could not read the HTML source", true);
	});
	if (!object) throw new RenderFailure("INTERNAL", "the HTML source is missing", false);
	return object.text();
}
