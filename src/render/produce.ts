// What one attempt produces from the job's loaded page: a PDF with its metadata (and a first-page
// preview when asked), a screenshot, or several parts merged into one PDF.
import type { Page } from "@cloudflare/puppeteer";
import type { JobRecord } from "../jobs/record";
import { logError } from "../log";
import { CONTENT_TYPES, type ImageFormat, type Output } from "../schemas/outputs";
import type { StoredDocument, StoredPreview } from "../storage/documents";
import { contentTypeOf, outputKey, previewKey } from "../storage/outputs";
import { imageSize } from "./image-size";
import { mergeParts } from "./merge";
import { needsWholePdf } from "../finish/finish";
import { finishInput, finishWhole } from "./finishing";
import { infoFields, withInfo } from "./pdf-metadata";
import { capturePreview } from "./preview";
import { printPdf, withLoadedPage } from "./print";
import { bytesStream, printInput, type Production } from "./attempt-inputs";
import { RenderFailure } from "./errors";
import { takeScreenshot } from "./screenshot";

export function outputOf(job: JobRecord): Output {
	return job.output ?? "pdf";
}

async function storePreview(p: Production, image: Uint8Array): Promise<StoredPreview> {
	const format = p.job.preview?.format ?? "png";
	const size = imageSize(image);
	if (!size) throw new RenderFailure("INTERNAL", "the preview image could not be read back", true);
	const key = previewKey(p.job.tenantId, p.job.id, format);
	const contentType = CONTENT_TYPES[format];
	try {
		await p.env.DOCUMENTS.put(key, image, { httpMetadata: { contentType }, customMetadata: { jobId: p.job.id, tenantId: p.job.tenantId } });
	} catch (err) {
		// R2's own text goes to the log (redacted), not into the job's error.
		logError({ msg: "preview store failed", jobId: p.job.id, tenantId: p.job.tenantId, error: String(err) });
		throw new RenderFailure("STORAGE_FAILED", "could not store the preview", true);
	}
	return { key, contentType, width: size.width, height: size.height, sizeBytes: image.byteLength };
}

/**
 * One PDF, the preview captured just before it prints. Without finishing beyond the document entries
 * it streams from Chrome to storage with its Info appended as an incremental update (no full parse
 * and rewrite: the common case stays cheap); otherwise it is finished whole (finishing.ts).
 */
async function producePdf(p: Production): Promise<StoredDocument> {
	const metadata = p.job.pdf.metadata;
	let title = "";
	let preview: Uint8Array | null = null;
	const beforePrint = async (page: Page) => {
		title = await page.title();
		// Chrome writes the Catalog's /Lang from the root element's lang attribute.
		if (metadata?.language) await page.evaluate(`document.documentElement.setAttribute("lang", ${JSON.stringify(metadata.language)})`);
		if (p.job.preview) preview = await capturePreview(page, p.job.pdf, p.job.page, p.job.preview);
	};
	const as = { key: outputKey(p.job.tenantId, p.job.id, "pdf"), contentType: contentTypeOf("pdf") };
	const stored = await printPdf(
		p.browser,
		printInput(p),
		p.policy,
		async (pdf) => {
			p.onPrinted();
			p.report.finishing();
			const input = finishInput(p, title);
			if (needsWholePdf(input)) return finishWhole(p, pdf, input, (finished) => p.store(bytesStream(finished), as));
			// Chrome writes a classic xref table; should that change, the PDF is kept as printed and we hear of it.
			const skipped = () => logError({ msg: "PDF metadata not written: no classic trailer found", jobId: p.job.id, tenantId: p.job.tenantId });
			return p.store(withInfo(pdf, infoFields(metadata, input.title), skipped), as);
		},
		beforePrint,
	);
	return withPreview(p, stored, preview);
}

async function withPreview(p: Production, stored: StoredDocument, preview: Uint8Array | null): Promise<StoredDocument> {
	return preview ? { ...stored, preview: await storePreview(p, preview) } : stored;
}

async function produceScreenshot(p: Production, format: ImageFormat): Promise<StoredDocument> {
	const as = { key: outputKey(p.job.tenantId, p.job.id, format), contentType: contentTypeOf(format) };
	const capture = (page: Page) => takeScreenshot(page, format, p.job.screenshot);
	const stored = await withLoadedPage(p.browser, printInput(p), p.policy, capture, (image) => {
		p.onPrinted();
		p.report.finishing();
		return p.store(bytesStream(image), as);
	});
	return { ...stored, contentType: as.contentType };
}

export async function produce(p: Production): Promise<StoredDocument> {
	if (p.job.parts?.length) {
		const as = { key: outputKey(p.job.tenantId, p.job.id, "pdf"), contentType: contentTypeOf("pdf") };
		const merged = await mergeParts(p, (pdf) => {
			p.onPrinted();
			return p.store(bytesStream(pdf), as);
		});
		return withPreview(p, merged.kept, merged.preview);
	}
	const output = outputOf(p.job);
	return output === "pdf" ? producePdf(p) : produceScreenshot(p, output);
}
