// R2 keys and filenames for what a job produces besides a PDF: screenshots and first-page previews.
// documents/<tenant>/<job>.<ext> holds the document; documents/<tenant>/<job>.preview.<ext> its thumbnail.
import { CONTENT_TYPES, type ContentType, type Output } from "../schemas/outputs";
import { documentKey, sanitizeFilename, sourceKey, type StoredDocument } from "./documents";

const EXTENSIONS: Record<Output, string> = { pdf: "pdf", png: "png", jpeg: "jpg", webp: "webp" };

export function outputKey(tenantId: string, jobId: string, output: Output): string {
	return documentKey(tenantId, jobId).replace(/\.pdf$/, `.${EXTENSIONS[output]}`);
}

export function previewKey(tenantId: string, jobId: string, format: Output): string {
	return documentKey(tenantId, jobId).replace(/\.pdf$/, `.preview.${EXTENSIONS[format]}`);
}

/** A merged render's part HTML, waiting for the consumer like inline HTML does. */
export function partSourceKey(tenantId: string, jobId: string, index: number): string {
	return sourceKey(tenantId, jobId).replace(/\.html$/, `.part-${index}.html`);
}

/** A stamp's image (`pdf.stamps[index].image`), stashed by the API for the finishing step. */
export function stampImageKey(tenantId: string, jobId: string, index: number): string {
	return sourceKey(tenantId, jobId).replace(/\.html$/, `.stamp-${index}`);
}

interface StashedInputs {
	sourceKey: string | null;
	parts?: ReadonlyArray<{ sourceKey: string | null }>;
	pdf?: { stamps?: ReadonlyArray<{ imageKey?: string }> };
}

/** Every stashed input of a job: its own source, its parts', its stamp images. Deleted when the job ends. */
export function sourceKeysOf(job: StashedInputs): string[] {
	const stamps = (job.pdf?.stamps ?? []).map((stamp) => stamp.imageKey ?? null);
	return [job.sourceKey, ...(job.parts ?? []).map((p) => p.sourceKey), ...stamps].filter((key): key is string => key !== null);
}

export function contentTypeOf(output: Output): ContentType {
	return CONTENT_TYPES[output];
}

/** The sanitized filename with the output's extension: "shot" and "shot.png" give shot.png for a PNG. */
export function outputFilename(raw: string | undefined, jobId: string, output: Output): string {
	const pdfName = sanitizeFilename(raw, jobId);
	if (output === "pdf") return pdfName;
	const base = pdfName.replace(/\.pdf$/i, "");
	const ext = EXTENSIONS[output];
	return new RegExp(`\\.${ext === "jpg" ? "jpe?g" : ext}$`, "i").test(base) ? base : `${base}.${ext}`;
}

/** The R2 objects a stored document consists of: itself and its preview. */
export function storedKeys(document: StoredDocument): string[] {
	return document.preview ? [document.key, document.preview.key] : [document.key];
}
