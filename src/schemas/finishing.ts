// The finishing options that make a document last: `standard` (PDF/A-2b or PDF/A-3b),
// `attachments` (embedded files) and `facturx` (a Factur-X invoice), with the rules that tie them to
// each other and to the output. On the request's `pdf` only: a merged document is finished once.
import { z } from "@hono/zod-openapi";

export const PDF_STANDARDS = ["PDF/A-2b", "PDF/A-3b"] as const;
export const PdfStandard = z.enum(PDF_STANDARDS).openapi({
	description: "Make the document PDF/A (ISO 19005-2 or -3, level b): sRGB output intent, XMP metadata, a file /ID, every font embedded",
});
export type PdfStandard = z.infer<typeof PdfStandard>;

export const MAX_ATTACHMENTS = 10;
/** What the attachments of one request may add up to, decoded. */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
/** The base64 text of MAX_ATTACHMENT_BYTES: a longer `content` can never fit. */
const MAX_CONTENT_CHARS = Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** A MIME type as a PDF name takes it: type/subtype, no parameters. */
const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
/** No path separators and no control characters: the name a reader saves the file under. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const FILE_NAME = /^[^/\\\u0000-\u001f\u007f]+$/;

export const AF_RELATIONSHIPS = ["Source", "Data", "Alternative", "Supplement", "Unspecified"] as const;
export const AfRelationship = z.enum(AF_RELATIONSHIPS);
export type AfRelationship = z.infer<typeof AfRelationship>;

/** The bytes a well-formed base64 text decodes to. */
export function base64Bytes(text: string): number {
	const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
	return (text.length / 4) * 3 - padding;
}

export const Attachment = z
	.strictObject({
		name: z.string().min(1).max(255).regex(FILE_NAME, "must be a file name: no / or \\ and no control characters"),
		contentType: z.string().regex(MIME_TYPE, "must be a MIME type like text/xml (no parameters)"),
		content: z.string().min(1).max(MAX_CONTENT_CHARS).regex(BASE64, "must be base64").openapi({ description: "The file's bytes, base64" }),
		relationship: AfRelationship.optional().openapi({
			description:
				"/AFRelationship: how the file relates to the document. Default Unspecified; factur-x.xml with facturx: Alternative (Data for MINIMUM and BASIC WL)",
		}),
		description: z.string().max(1000).optional(),
	})
	.openapi("Attachment");
export type Attachment = z.infer<typeof Attachment>;

export const FACTURX_PROFILES = ["MINIMUM", "BASIC WL", "BASIC", "EN 16931", "EXTENDED"] as const;
export const FacturX = z
	.strictObject({ profile: z.enum(FACTURX_PROFILES).openapi({ description: "The Factur-X profile of the embedded factur-x.xml" }) })
	.openapi("FacturX", { description: "A Factur-X (ZUGFeRD 2) invoice: needs standard PDF/A-3b and an attachment named factur-x.xml" });
export type FacturX = z.infer<typeof FacturX>;

/** The name Factur-X requires of the embedded invoice. */
export const FACTURX_FILE = "factur-x.xml";

/** The finishing options' fields of PdfOptions (spread into it, so the record and parts can omit them). */
export const finishingFields = {
	standard: PdfStandard.optional(),
	attachments: z
		.array(Attachment)
		.max(MAX_ATTACHMENTS)
		.optional()
		.openapi({ description: `Embedded files (at most ${MAX_ATTACHMENTS}, ${MAX_ATTACHMENT_BYTES} bytes in all, decoded); not with PDF/A-2b` }),
	facturx: FacturX.optional(),
};

/** An attachment as the job record keeps it: its bytes wait in R2 at `key` (src/storage/assets.ts). */
export const StoredAttachment = z.object({
	name: z.string(),
	contentType: z.string(),
	/** Resolved when the job was created (the default applied). */
	relationship: AfRelationship,
	description: z.string().optional(),
	key: z.string(),
	sizeBytes: z.number().int(),
});
export type StoredAttachment = z.infer<typeof StoredAttachment>;

/** The relationship an attachment gets: its own, else Factur-X's for the invoice, else Unspecified. */
export function attachmentRelationship(attachment: Pick<Attachment, "name" | "relationship">, facturx: FacturX | undefined): AfRelationship {
	if (attachment.relationship) return attachment.relationship;
	if (!facturx || attachment.name !== FACTURX_FILE) return "Unspecified";
	// Factur-X: the two profiles that are not a full invoice carry data; the others are the invoice itself.
	return facturx.profile === "MINIMUM" || facturx.profile === "BASIC WL" ? "Data" : "Alternative";
}

interface Issue {
	path: Array<string | number>;
	message: string;
}

function attachmentIssues(attachments: Attachment[]): Issue[] {
	const issues: Issue[] = [];
	const seen = new Set<string>();
	let total = 0;
	for (const [i, attachment] of attachments.entries()) {
		if (seen.has(attachment.name)) issues.push({ path: ["pdf", "attachments", i, "name"], message: "two attachments cannot have the same name" });
		seen.add(attachment.name);
		total += base64Bytes(attachment.content);
	}
	if (total > MAX_ATTACHMENT_BYTES)
		issues.push({ path: ["pdf", "attachments"], message: `the attachments add up to ${total} bytes, more than ${MAX_ATTACHMENT_BYTES}` });
	return issues;
}

/** The rules between the finishing options themselves (the output rule is the request's: render-request.ts); paths from the request's root. */
export function finishingIssues(pdf: { standard?: PdfStandard; attachments?: Attachment[]; facturx?: FacturX }): Issue[] {
	const issues: Issue[] = [];
	const attachments = pdf.attachments ?? [];
	if (pdf.standard === "PDF/A-2b" && attachments.length)
		issues.push({ path: ["pdf", "attachments"], message: "PDF/A-2b cannot carry attachments; use PDF/A-3b" });
	if (pdf.facturx && pdf.standard !== "PDF/A-3b") issues.push({ path: ["pdf", "facturx"], message: "Factur-X needs standard PDF/A-3b" });
	if (pdf.facturx && !attachments.some((a) => a.name === FACTURX_FILE))
		issues.push({ path: ["pdf", "facturx"], message: `Factur-X needs an attachment named ${FACTURX_FILE}` });
	return [...issues, ...attachmentIssues(attachments)];
}

/**
 * The rules above as JSON Schema, conditionals on PdfOptions' own keys (the attachments need
 * PDF/A-3b if any standard; Factur-X needs PDF/A-3b and factur-x.xml). Duplicate names and the
 * 5 MiB total are the server's alone (JSON Schema cannot say them).
 */
export function pdfOptionRules(): object[] {
	// biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords, not a thenable
	const rule = (key: string, consequence: object) => ({ if: { required: [key], properties: { [key]: {} } }, then: consequence });
	return [
		rule("attachments", { properties: { standard: { const: "PDF/A-3b" } } }),
		rule("facturx", {
			required: ["standard", "attachments"],
			properties: { standard: { const: "PDF/A-3b" }, attachments: { contains: { required: ["name"], properties: { name: { const: FACTURX_FILE } } } } },
		}),
	];
}
