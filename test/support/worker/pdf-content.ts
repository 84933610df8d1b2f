// Worker side: runs inside workerd, imported by the tests.
// What a PDF's pages hold beyond text: the images painted on a page (pdf.js, through unpdf), and
// the fonts the document embeds (the PostScript names of its font dictionaries).
import { extractImages, getDocumentProxy } from "unpdf";

/** The images painted on `pageNumber` (1-based; -1 for the last page), with their pixel size. */
export async function imagesOnPage(bytes: Uint8Array, pageNumber: number): Promise<Array<{ width: number; height: number }>> {
	const pdf = await getDocumentProxy(bytes.slice());
	const images = await extractImages(pdf, pageNumber === -1 ? pdf.numPages : pageNumber);
	return images.map(({ width, height }) => ({ width, height }));
}

/**
 * The fonts the PDF names (/BaseFont and /FontName, subset tag "ABCDEF+" removed). Chrome writes
 * its font dictionaries uncompressed, so their names can be read from the bytes.
 */
export function fontNames(bytes: Uint8Array): string[] {
	const text = new TextDecoder("latin1").decode(bytes);
	const names = [...text.matchAll(/\/(?:BaseFont|FontName)\s*\/(?:[A-Z]{6}\+)?([^\s/<>[\]()]+)/g)].map((m) => m[1] ?? "");
	return [...new Set(names)].sort();
}
