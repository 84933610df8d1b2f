// R2 layout: sources/<tenant>/<job>.html holds large inline HTML between API and consumer;
// documents/<tenant>/<job>.pdf holds the rendered PDF with its content-type and metadata.
export type { StoredDocument, StoredPreview } from "../schemas/job-record";

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

/**
 * Bidirectional controls: embeddings and overrides (U+202A-202E), isolates (U+2066-2069), the
 * LRM/RLM and ALM marks. They can make "invoice\u202Efdp.exe" display as "invoiceexe.pdf".
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/** Path separators, control and bidi characters and reserved punctuation go; the name always ends in .pdf. */
export function sanitizeFilename(raw: string | undefined, jobId: string): string {
	const base = (raw ?? "")
		.normalize("NFC")
		// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
		.replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
		.replace(BIDI_CONTROLS, "")
		.replace(/[/\\:*?"<>|]/g, "_")
		.replace(/^[.\s]+/, "")
		.trim()
		.slice(0, 200);
	const name = base === "" || /^_*$/.test(base.replace(/\.pdf$/i, "")) ? jobId : base;
	return /\.pdf$/i.test(name) ? name : `${name}.pdf`;
}
