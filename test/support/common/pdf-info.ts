// Common (the Worker tests and the Node e2e test): a PDF as pdf.js (unpdf) reads it: its pages, text and page size, and its document information
// (the newest trailer's /Info and the Catalog's /Lang).
import { extractText, getDocumentProxy } from "unpdf";

export interface PdfInfo {
	Title?: string;
	Author?: string;
	Subject?: string;
	Keywords?: string;
	Creator?: string;
	Producer?: string;
	Language?: string;
}

export async function readPdfInfo(bytes: ArrayBuffer | Uint8Array): Promise<PdfInfo> {
	const pdf = await getDocumentProxy(new Uint8Array(bytes).slice());
	const { info } = await pdf.getMetadata();
	return info as PdfInfo;
}

export interface PdfFacts {
	pages: number;
	text: string;
	/** Width and height of page 1 in PDF points (1/72 in). */
	size: { width: number; height: number };
}

export async function readPdf(bytes: ArrayBuffer | Uint8Array): Promise<PdfFacts> {
	const data = new Uint8Array(bytes);
	if (new TextDecoder().decode(data.subarray(0, 5)) !== "%PDF-") throw new Error("not a PDF");
	const pdf = await getDocumentProxy(data.slice());
	const { text } = await extractText(pdf, { mergePages: true });
	const page = await pdf.getPage(1);
	const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = page.view;
	return { pages: pdf.numPages, text, size: { width: Math.round(x1 - x0), height: Math.round(y1 - y0) } };
}
