// The stamps step: text and images drawn on the finished document's pages, after merging, so
// {page} and {pages} count the final document. Each page gets at most two content streams of ours:
// the stamps `under` its content go first in its /Contents (drawn before the page's own, which
// covers them where it is opaque), the `over` ones last. The page's own content is wrapped in q/Q
// (pdf-lib does that when it first touches a page), and every stamp sits in a q/Q of its own, so no
// graphics state passes either way. Each stamp is marked content /Artifact: in a tagged document it
// never enters the structure tree, and a reader that follows the tags skips it.
import {
	beginMarkedContent,
	beginText,
	concatTransformationMatrix,
	drawObject,
	endMarkedContent,
	endText,
	moveText,
	type PDFDocument,
	type PDFFont,
	type PDFImage,
	type PDFOperator,
	type PDFPage,
	type PDFRef,
	popGraphicsState,
	pushGraphicsState,
	setFillingRgbColor,
	setFontAndSize,
	setGraphicsState,
	showText,
} from "pdf-lib";
import { isStandardFont, STAMP_DEFAULTS, type StoredStamp } from "../schemas/stamps";
import { imageBox, type PageArea, placeBox, points, type Size, selectedPages, stampMatrix } from "./stamp-layout";
import { StampFonts } from "./stamp-fonts";
import { FinishError, type FinishInput, type FinishStep } from "./step";

type Ink = { kind: "text"; text: string; font: PDFFont } | { kind: "image"; image: PDFImage };

/** A stamp ready to draw: what it draws with, the pages it goes on, its opacity's graphics state. */
interface Prepared {
	stamp: StoredStamp;
	index: number;
	ink: Ink;
	pages: Set<number>;
	/** An ExtGState with /ca and /CA, when the stamp is not opaque. */
	opacity: PDFRef | null;
}

const isPng = (bytes: Uint8Array) => bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;

async function embedImage(doc: PDFDocument, bytes: Uint8Array | undefined, index: number): Promise<PDFImage> {
	if (!bytes) throw new FinishError(`pdf.stamps.${index}: the stamp's image is missing`);
	try {
		return isPng(bytes) ? await doc.embedPng(bytes) : await doc.embedJpg(bytes);
	} catch (err) {
		throw new FinishError(`pdf.stamps.${index}: the image could not be read as a ${isPng(bytes) ? "PNG" : "JPEG"}`, err);
	}
}

/** A tenant face must have every character of the text; a standard font's were checked by the API. */
function checkGlyphs(stamp: StoredStamp, index: number, text: string, font: PDFFont): void {
	if (isStandardFont(stamp.font ?? "Helvetica")) return;
	const has = new Set(font.getCharacterSet());
	const missing = [...text.replaceAll(/\{pages?\}/g, "0123456789")].find((char) => !has.has(char.codePointAt(0) ?? 0));
	if (missing !== undefined) throw new FinishError(`pdf.stamps.${index}.text: the font "${stamp.font}" has no glyph for "${missing}"`);
}

async function prepare(doc: PDFDocument, input: FinishInput, pageCount: number): Promise<Prepared[]> {
	const fonts = new StampFonts(doc);
	const prepared: Prepared[] = [];
	for (const [index, stamp] of (input.pdf.stamps ?? []).entries()) {
		const assets = input.assets.stamps[index] ?? {};
		let ink: Ink;
		if (stamp.imageKey !== undefined) ink = { kind: "image", image: await embedImage(doc, assets.image, index) };
		else {
			const text = stamp.text ?? "";
			const font = await fonts.fontOf(stamp, index, assets.font);
			checkGlyphs(stamp, index, text, font);
			ink = { kind: "text", text, font };
		}
		const alpha = stamp.opacity ?? STAMP_DEFAULTS.opacity;
		const opacity = alpha < 1 ? doc.context.register(doc.context.obj({ Type: "ExtGState", ca: alpha, CA: alpha })) : null;
		prepared.push({ stamp, index, ink, pages: selectedPages(stamp.pages, pageCount), opacity });
	}
	return prepared;
}

/** "#RRGGBB" as PDF's 0..1 RGB. */
function rgb(color: string): [number, number, number] {
	const channel = (at: number) => Number.parseInt(color.slice(at, at + 2), 16) / 255;
	return [channel(1), channel(3), channel(5)];
}

/** The text with this page's number and the document's page count. */
export function pageText(text: string, page: number, count: number): string {
	return text.replaceAll("{pages}", String(count)).replaceAll("{page}", String(page + 1));
}

/** The stamp's box on `area` and the operators that place its own coordinates there. */
function placed(stamp: StoredStamp, area: PageArea, size: Size): PDFOperator {
	const at = placeBox(area, size, stamp.position ?? STAMP_DEFAULTS.position, points(stamp.margin ?? STAMP_DEFAULTS.margin));
	return concatTransformationMatrix(...stampMatrix(at, size, stamp.rotate ?? STAMP_DEFAULTS.rotate));
}

function textOperators(page: PDFPage, p: Prepared, ink: Extract<Ink, { kind: "text" }>, text: string, area: PageArea): PDFOperator[] {
	const size = p.stamp.fontSize ?? STAMP_DEFAULTS.fontSize;
	const height = ink.font.heightAtSize(size);
	// The box runs from the descender up: the baseline sits the descender's depth above its bottom.
	const descent = height - ink.font.heightAtSize(size, { descender: false });
	const box = { width: ink.font.widthOfTextAtSize(text, size), height };
	const fontName = page.node.newFontDictionary(ink.font.name, ink.font.ref);
	return [
		placed(p.stamp, area, box),
		beginText(),
		setFontAndSize(fontName, size),
		setFillingRgbColor(...rgb(p.stamp.color ?? STAMP_DEFAULTS.color)),
		moveText(0, descent),
		showText(ink.font.encodeText(text)),
		endText(),
	];
}

function imageOperators(page: PDFPage, p: Prepared, ink: Extract<Ink, { kind: "image" }>, area: PageArea): PDFOperator[] {
	const width = p.stamp.width === undefined ? undefined : points(p.stamp.width);
	const height = p.stamp.height === undefined ? undefined : points(p.stamp.height);
	const box = imageBox({ width: ink.image.width, height: ink.image.height }, width, height);
	const name = page.node.newXObject("Stamp", ink.image.ref);
	// An image XObject fills the unit square: scale it to the box.
	return [placed(p.stamp, area, box), concatTransformationMatrix(box.width, 0, 0, box.height, 0, 0), drawObject(name)];
}

/** One stamp on one page: its own graphics state, marked as an artifact. */
function stampOperators(page: PDFPage, p: Prepared, index: number, count: number): PDFOperator[] {
	const area = page.getCropBox();
	const drawing = p.ink.kind === "text" ? textOperators(page, p, p.ink, pageText(p.ink.text, index, count), area) : imageOperators(page, p, p.ink, area);
	const opacity = p.opacity ? [setGraphicsState(page.node.newExtGState("GS", p.opacity))] : [];
	return [beginMarkedContent("Artifact"), pushGraphicsState(), ...opacity, ...drawing, popGraphicsState(), endMarkedContent()];
}

/** The page's stamps as content streams: under ones first in /Contents, over ones last. */
function stampPage(doc: PDFDocument, page: PDFPage, index: number, stamps: Prepared[], count: number): void {
	const on = stamps.filter((p) => p.pages.has(index));
	if (on.length === 0) return;
	const layer = (name: "under" | "over") =>
		on.filter((p) => (p.stamp.layer ?? STAMP_DEFAULTS.layer) === name).flatMap((p) => stampOperators(page, p, index, count));
	const under = layer("under");
	const over = layer("over");
	const stream = (operators: PDFOperator[]) => doc.context.register(doc.context.contentStream(operators));
	// Normalizing wraps the page's own content in q/Q and makes /Contents an array (none on a blank page).
	const contents = page.node.normalizedEntries().Contents;
	if (under.length) {
		if (contents) contents.insert(0, stream(under));
		else page.node.addContentStream(stream(under));
	}
	if (over.length) page.node.addContentStream(stream(over));
}

export const stamps: FinishStep = {
	name: "stamps",
	applies: (input) => (input.pdf.stamps?.length ?? 0) > 0,
	async run(doc, input) {
		const pages = doc.getPages();
		const prepared = await prepare(doc, input, pages.length);
		for (const [index, page] of pages.entries()) stampPage(doc, page, index, prepared, pages.length);
	},
};
