// The paper a job prints on, exact. @cloudflare/puppeteer 1.4.0 rounds sizes on their way to Chrome:
// its paper table gives A4 as 8.27 × 11.7 in (an A4 page came out 595.92 × 842.88 pt instead of
// 595.28 × 841.89), and it converts mm at 3.78 px and cm at 37.8 px instead of 96/25.4 and 96/2.54.
// Chrome's Page.printToPDF takes the paper and the margins in inches, and puppeteer passes a length
// written in inches through unchanged (value × 96 / 96), so every size leaves here as exact inches
// and puppeteer's table and unit factors are never used. The preview (preview.ts) reads the same sizes.
import type { PdfOptions } from "../schemas/render-request";

export type PaperFormat = NonNullable<PdfOptions["format"]>;
type Length = string | number;

/** Width × height in inches, portrait as the format is named (Ledger is named landscape). */
export interface Paper {
	width: number;
	height: number;
}

const MM_PER_INCH = 25.4;
/** PDF user space units (points) per inch. */
export const POINTS_PER_INCH = 72;

/** ISO 216 A series, defined in millimetres. */
const ISO_216_MM = {
	A0: [841, 1189],
	A1: [594, 841],
	A2: [420, 594],
	A3: [297, 420],
	A4: [210, 297],
	A5: [148, 210],
	A6: [105, 148],
} as const;

/**
 * US sizes, defined in inches (ANSI/ASME Y14.1: Letter is ANSI A, Tabloid ANSI B; Legal is the US
 * legal size). Ledger is Tabloid turned sideways, as Chrome and puppeteer have always named it.
 */
const US_INCHES = {
	Letter: [8.5, 11],
	Legal: [8.5, 14],
	Tabloid: [11, 17],
	Ledger: [17, 11],
} as const;

const fromMm = ([w, h]: readonly [number, number]): Paper => ({ width: w / MM_PER_INCH, height: h / MM_PER_INCH });
const fromInches = ([w, h]: readonly [number, number]): Paper => ({ width: w, height: h });

/** Every format the API accepts, at its exact size in inches. */
export const PAPER: Record<PaperFormat, Paper> = {
	Letter: fromInches(US_INCHES.Letter),
	Legal: fromInches(US_INCHES.Legal),
	Tabloid: fromInches(US_INCHES.Tabloid),
	Ledger: fromInches(US_INCHES.Ledger),
	A0: fromMm(ISO_216_MM.A0),
	A1: fromMm(ISO_216_MM.A1),
	A2: fromMm(ISO_216_MM.A2),
	A3: fromMm(ISO_216_MM.A3),
	A4: fromMm(ISO_216_MM.A4),
	A5: fromMm(ISO_216_MM.A5),
	A6: fromMm(ISO_216_MM.A6),
};

/** Units per inch of the lengths the API accepts (CSS: 96 px to the inch). */
const PER_INCH: Record<string, number> = { px: 96, in: 1, cm: 2.54, mm: MM_PER_INCH };

/** A length as the printer takes it (a bare number, or no unit, is CSS px) in inches, exactly. */
export function inches(length: Length): number {
	if (typeof length === "number") return length / 96;
	const [, value = "0", unit = "px"] = length.match(/^(\d+(?:\.\d+)?)(px|in|cm|mm)?$/) ?? [];
	return Number(value) / (PER_INCH[unit] ?? 96);
}

/** The same length written so puppeteer hands Chrome exactly that many inches. */
export const exactInches = (length: Length): string => `${inches(length)}in`;

/**
 * The paper of a print, before `landscape` (Chrome turns it): the format's exact size when one
 * applies; else width and height, each missing one Letter's like puppeteer's own default.
 */
export function paperOf(format: PaperFormat | undefined, width: Length | undefined, height: Length | undefined): Paper {
	if (format) return PAPER[format];
	return { width: width === undefined ? 8.5 : inches(width), height: height === undefined ? 11 : inches(height) };
}
