// A PDF's document information as pdf.js (unpdf) reads it: the newest trailer's /Info and the Catalog's /Lang.
import { getDocumentProxy } from "unpdf";

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
