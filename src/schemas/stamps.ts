// Stamps and watermarks (`pdf.stamps`): text or an image drawn on the finished PDF's pages, after
// merging, so `{page}` and `{pages}` count the final document. One set of fields serves the request
// (an image as a data URI), the OpenAPI document and the stored record (the image as the R2 key it
// was stashed at: a job record never holds the bytes).
import { Encodings } from "@pdf-lib/standard-fonts";
import { z } from "@hono/zod-openapi";
import { FONT_FAMILY, FontStyle } from "./font";
import { cssLength, PAGE_RANGES } from "./lengths";

export const MAX_STAMPS = 10;
/** A stamp image, decoded. */
export const MAX_STAMP_IMAGE_BYTES = 1024 * 1024;
const DATA_URI_PREFIX_MAX = "data:image/jpeg;base64,".length;
/** The longest data URI of an image of MAX_STAMP_IMAGE_BYTES: 4 base64 characters per 3 bytes. */
const MAX_DATA_URI_CHARS = DATA_URI_PREFIX_MAX + Math.ceil(MAX_STAMP_IMAGE_BYTES / 3) * 4;
/**
 * A PNG or JPEG as base64 in a data URI, its first bytes the format's signature (a PNG's 8 bytes are
 * "iVBORw0KGgo" and one more character in base64, a JPEG's FF D8 FF "/9j/"), padded to whole groups.
 */
const DATA_URI = /^data:image\/(?:png;base64,iVBORw0KGgo[A-Za-z0-9+/]|jpeg;base64,\/9j\/)(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** One line: no control characters (C0, DEL, C1). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it refuses
const ONE_LINE = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/** The 14 fonts every PDF reader has (never embedded; text is limited to their one-byte encodings). */
export const STANDARD_FONTS = [
	"Helvetica",
	"Helvetica-Bold",
	"Helvetica-Oblique",
	"Helvetica-BoldOblique",
	"Times-Roman",
	"Times-Bold",
	"Times-Italic",
	"Times-BoldItalic",
	"Courier",
	"Courier-Bold",
	"Courier-Oblique",
	"Courier-BoldOblique",
	"Symbol",
	"ZapfDingbats",
] as const;
export type StandardFont = (typeof STANDARD_FONTS)[number];
export const DEFAULT_STAMP_FONT: StandardFont = "Helvetica";

export const STAMP_POSITIONS = [
	"top-left",
	"top-center",
	"top-right",
	"center-left",
	"center",
	"center-right",
	"bottom-left",
	"bottom-center",
	"bottom-right",
] as const;
export type StampPosition = (typeof STAMP_POSITIONS)[number];

/** What a stamp gets when the request leaves a field out (applied when the stamp is drawn, not stored). */
export const STAMP_DEFAULTS = {
	position: "bottom-center",
	margin: "10mm",
	fontSize: 10,
	color: "#000000",
	opacity: 1,
	rotate: 0,
	layer: "over",
	fontWeight: 400,
	fontStyle: "normal",
} as const;

export function isStandardFont(font: string): font is StandardFont {
	return (STANDARD_FONTS as readonly string[]).includes(font);
}

/** Fields only a text stamp takes, and only an image stamp. */
const TEXT_ONLY = ["font", "fontSize", "fontWeight", "fontStyle", "color"] as const;
const IMAGE_ONLY = ["width", "height"] as const;

const stampFields = {
	text: z.string().min(1).max(1000).regex(ONE_LINE, "must be one line, without control characters").optional().openapi({
		description: "One line of text; {page} and {pages} become the page's number and the page count of the final document (merged parts included)",
		example: "Page {page} of {pages}",
	}),
	position: z.enum(STAMP_POSITIONS).optional().openapi({ default: STAMP_DEFAULTS.position }),
	margin: cssLength.optional().openapi({ default: STAMP_DEFAULTS.margin, description: "Distance from the page edges the position names" }),
	fontSize: z.number().min(1).max(1000).optional().openapi({ default: STAMP_DEFAULTS.fontSize, description: "In points" }),
	font: z
		.string()
		.regex(FONT_FAMILY, "must be a standard font or a font family you uploaded")
		.optional()
		.openapi({
			default: DEFAULT_STAMP_FONT,
			description: `One of the 14 standard fonts (${STANDARD_FONTS.join(", ")}; text limited to their encoding, WinAnsi for all but Symbol and ZapfDingbats) or a family uploaded with PUT /v1/fonts/{family} (embedded as a subset)`,
		}),
	fontWeight: z.number().int().min(100).max(900).optional().openapi({ default: 400, description: "Which face of an uploaded family" }),
	fontStyle: FontStyle.optional().openapi({ default: "normal", description: "Which face of an uploaded family" }),
	color: z
		.string()
		.regex(/^#[0-9A-Fa-f]{6}$/, "must be a colour like #555555")
		.optional()
		.openapi({ default: STAMP_DEFAULTS.color }),
	opacity: z.number().min(0).max(1).optional().openapi({ default: STAMP_DEFAULTS.opacity }),
	rotate: z.number().min(-360).max(360).optional().openapi({ default: 0, description: "Degrees counter-clockwise, about the stamp's centre" }),
	pages: z.string().max(1000).regex(PAGE_RANGES, 'must look like "1-3, 5, 8-"').optional().openapi({
		description:
			"Which pages of the final document, like pdf.pageRanges (default: all); pages past the end, and a range that ends before it starts, select none",
		example: "2-",
	}),
	layer: z.enum(["over", "under"]).optional().openapi({ default: STAMP_DEFAULTS.layer, description: "Drawn over the page's content, or under it" }),
	width: cssLength
		.optional()
		.openapi({ description: "An image's width (with only one of width and height the other keeps the aspect ratio; with neither, 1 px is 1 pt)" }),
	height: cssLength.optional().openapi({ description: "An image's height" }),
};

type Issues = z.RefinementCtx;

/** The encoding a standard font's text is written in. */
export function standardEncoding(font: StandardFont) {
	if (font === "Symbol") return { name: "Symbol", encoding: Encodings.Symbol };
	if (font === "ZapfDingbats") return { name: "ZapfDingbats", encoding: Encodings.ZapfDingbats };
	return { name: "WinAnsi", encoding: Encodings.WinAnsi };
}

/** Text a standard font cannot write: the first character its encoding lacks ({page} and {pages} are digits). */
function unencodable(text: string, font: StandardFont): string | null {
	const { name, encoding } = standardEncoding(font);
	const written = text.replaceAll("{pages}", "0123456789").replaceAll("{page}", "0123456789");
	for (const char of written) {
		const code = char.codePointAt(0) ?? 0;
		if (!encoding.canEncodeUnicodeCodePoint(code)) {
			const hex = code.toString(16).toUpperCase().padStart(4, "0");
			return `"${char}" (U+${hex}) is not in ${font}'s encoding (${name}); upload a font that has it (PUT /v1/fonts/{family}) and name its family in font`;
		}
	}
	return null;
}

function checkText(stamp: { text?: string; font?: string }, ctx: Issues): void {
	if (stamp.text === undefined) return;
	const font = stamp.font ?? DEFAULT_STAMP_FONT;
	if (!isStandardFont(font)) return;
	const problem = unencodable(stamp.text, font);
	if (problem) ctx.addIssue({ code: "custom", path: ["text"], message: problem });
}

/** The decoded size of a base64 payload. */
function decodedBytes(payload: string): number {
	const padding = payload.endsWith("==") ? 2 : payload.endsWith("=") ? 1 : 0;
	return (payload.length / 4) * 3 - padding;
}

/** What the pattern cannot say of an image data URI: at most MAX_STAMP_IMAGE_BYTES decoded. */
function imageProblem(uri: string): string | null {
	const payload = uri.slice(uri.indexOf(",") + 1);
	return decodedBytes(payload) > MAX_STAMP_IMAGE_BYTES ? `the image is larger than ${MAX_STAMP_IMAGE_BYTES} bytes` : null;
}

const imageUri = z
	.string()
	.max(MAX_DATA_URI_CHARS)
	.regex(DATA_URI, "must be a PNG or JPEG as a base64 data URI (data:image/png;base64,… or data:image/jpeg;base64,…)")
	.superRefine((uri, ctx) => {
		const problem = imageProblem(uri);
		if (problem) ctx.addIssue({ code: "custom", message: problem });
	})
	.openapi({
		description: `A PNG or JPEG as a data URI, at most ${MAX_STAMP_IMAGE_BYTES} bytes decoded (it counts against the 10 MiB body)`,
	});

/** Text or image, never both; options of the one kind refused on the other. */
function checkKind(stamp: Record<string, unknown>, ctx: Issues): void {
	const hasText = stamp.text !== undefined;
	if (hasText === (stamp.image !== undefined)) {
		ctx.addIssue({ code: "custom", path: [], message: "exactly one of text or image is required" });
		return;
	}
	for (const key of hasText ? IMAGE_ONLY : TEXT_ONLY) {
		if (stamp[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `applies to ${hasText ? "image" : "text"} stamps only` });
	}
}

type OpenApiMetadata = NonNullable<Parameters<z.ZodString["openapi"]>[1]>;
/** Exactly one of text and image, and the other kind's options refused, as JSON Schema (`false` forbids a key; OpenAPI 3.0's types cannot spell it). */
const forbid = (keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, false]));
const TEXT_OR_IMAGE = [
	{ required: ["text"], properties: forbid(["image", ...IMAGE_ONLY]) },
	{ required: ["image"], properties: forbid(["text", ...TEXT_ONLY]) },
] as unknown as OpenApiMetadata["oneOf"];

/** One stamp of the request. */
export const Stamp = z
	.strictObject({ ...stampFields, image: imageUri.optional() })
	.superRefine((stamp, ctx) => {
		checkKind(stamp, ctx);
		checkText(stamp, ctx);
	})
	.openapi("Stamp", { oneOf: TEXT_OR_IMAGE, description: "Text or an image drawn on the finished document's pages" });
export type Stamp = z.infer<typeof Stamp>;

export const Stamps = z
	.array(Stamp)
	.max(MAX_STAMPS)
	.openapi({ description: `Up to ${MAX_STAMPS} stamps or watermarks, drawn in order after parts are merged` });

/** A stamp as the job record keeps it: an image is the R2 key it was stashed at. */
export const StoredStamp = z.object({ ...stampFields, imageKey: z.string().optional() });
export type StoredStamp = z.infer<typeof StoredStamp>;
