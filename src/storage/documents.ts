// R2 layout: sources/<tenant>/<job>.html holds large inline HTML between API and consumer;
// documents/<tenant>/<job>.pdf holds the rendered PDF with its content-type and metadata.
import type { ContentType, ImageContentType } from "../schemas/outputs";

/** A stored thumbnail of the document's first page (documents/<tenant>/<job>.preview.<ext>). */
export interface StoredPreview {
	key: string;
	contentType: ImageContentType;
	width: number;
	height: number;
	sizeBytes: number;
}

export interface StoredDocument {
	key: string;
	filename: string;
	sizeBytes: number;
	pages: number;
	sha256: string;
	etag: string;
	/** A screenshot's image type; absent means application/pdf. */
	contentType?: ContentType;
	/** The first-page thumbnail stored beside the document, when one was asked for. */
	preview?: StoredPreview | null;
}

export function sourceKey(tenantId: string, jobId: string): string {
	return `sources/${tenantId}/${jobId}.html`;
}

export function documentKey(tenantId: string, jobId: string): string {
	return `documents/${tenantId}/${jobId}.pdf`;
}

/** RFC 6266 attachment header with an ASCII fallback and the UTF-8 name. */
export function contentDisposition(filename: string): string {
	const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** Path separators, control characters and reserved punctuation go; the name always ends in .pdf. */
export function sanitizeFilename(raw: string | undefined, jobId: string): string {
	const base = (raw ?? "")
		.normalize("NFC")
		.replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
		.replace(/[/\\:*?"<>|]/g, "_")
		.replace(/^[.\s]+/, "")
		.trim()
		.slice(0, 200);
	const name = base === "" || /^_*$/.test(base.replace(/\.pdf$/i, "")) ? jobId : base;
	return /\.pdf$/i.test(name) ? name : `${name}.pdf`;
}
