// The signing step, last of all: an invisible PAdES B-B signature over the whole saved file. Before
// the save it adds the signature dictionary (/Filter /Adobe.PPKLite, /SubFilter /ETSI.CAdES.detached,
// /M, and /Reason, /Location, /ContactInfo when asked) with fixed-width placeholders, an invisible
// signature field on page 1 (/Rect [0 0 0 0]) and the AcroForm with /SigFlags 3 (signed, append
// only). After the save it fills the placeholders in the bytes (sign-placeholder.ts): the byte range,
// then the CMS (cms.ts) over those bytes' SHA-256.
import { type PDFDict, type PDFDocument, PDFHexString, PDFName, PDFNumber, PDFString } from "pdf-lib";
import type { OpenedSigningKey } from "../signing/opened-key";
import { buildCms } from "./cms";
import { BYTE_RANGE_NAME, byteRangeOf, findPlaceholder, signedParts, writeByteRange, writeContents } from "./sign-placeholder";
import { FinishError, type FinishInput, type FinishStep } from "./step";

/** Room for the CMS beyond its certificates: the signature (RSA-8192 is 1 KiB), attributes, structure. */
const CMS_OVERHEAD_BYTES = 4096;
/** Annotation flags Print (4) and Locked (128): printable, as PDF/A asks, and not to be moved. */
const WIDGET_FLAGS = 132;
/** Signatures exist (1) and the file must only be appended to (2). */
const SIG_FLAGS = 3;

/** How many bytes /Contents reserves for this key's CMS. */
export function contentsBytes(key: OpenedSigningKey): number {
	return key.certificates.reduce((sum, der) => sum + der.byteLength, CMS_OVERHEAD_BYTES);
}

function keyOf(input: FinishInput): OpenedSigningKey {
	if (!input.signingKey) throw new FinishError(`the signing key ${input.pdf.sign?.key ?? ""} was not loaded`);
	return input.signingKey;
}

/** The signature dictionary: /ByteRange then /Contents first (the placeholder search relies on that order). */
function signatureDictionary(doc: PDFDocument, input: FinishInput, key: OpenedSigningKey): PDFDict {
	const options = input.pdf.sign;
	const placeholder = PDFName.of(BYTE_RANGE_NAME);
	const dict = doc.context.obj({});
	dict.set(PDFName.of("ByteRange"), doc.context.obj([0, placeholder, placeholder, placeholder]));
	dict.set(PDFName.of("Contents"), PDFHexString.of("0".repeat(contentsBytes(key) * 2)));
	dict.set(PDFName.of("Type"), PDFName.of("Sig"));
	dict.set(PDFName.of("Filter"), PDFName.of("Adobe.PPKLite"));
	dict.set(PDFName.of("SubFilter"), PDFName.of("ETSI.CAdES.detached"));
	dict.set(PDFName.of("M"), PDFString.fromDate(new Date()));
	if (options?.reason) dict.set(PDFName.of("Reason"), PDFHexString.fromText(options.reason));
	if (options?.location) dict.set(PDFName.of("Location"), PDFHexString.fromText(options.location));
	if (options?.contactInfo) dict.set(PDFName.of("ContactInfo"), PDFHexString.fromText(options.contactInfo));
	return dict;
}

function addSignatureField(doc: PDFDocument, input: FinishInput): void {
	const key = keyOf(input);
	const page = doc.getPage(0);
	const signature = doc.context.register(signatureDictionary(doc, input, key));
	const widget = doc.context.register(
		doc.context.obj({
			Type: "Annot",
			Subtype: "Widget",
			FT: "Sig",
			Rect: [0, 0, 0, 0],
			F: WIDGET_FLAGS,
			T: PDFString.of("Signature1"),
			V: signature,
			P: page.ref,
		}),
	);
	page.node.addAnnot(widget);
	const form = doc.catalog.getOrCreateAcroForm();
	form.addField(widget);
	form.dict.set(PDFName.of("SigFlags"), PDFNumber.of(SIG_FLAGS));
}

/** The saved file with its byte range and CMS written into the placeholders (in place). */
async function signSaved(pdf: Uint8Array, input: FinishInput): Promise<Uint8Array> {
	const key = keyOf(input);
	const placeholder = findPlaceholder(pdf, contentsBytes(key));
	const range = byteRangeOf(pdf, placeholder);
	writeByteRange(pdf, placeholder, range);
	// A digest stream hashes the two parts without joining them into a copy of the file.
	const digest = new crypto.DigestStream("SHA-256");
	const writer = digest.getWriter();
	for (const part of signedParts(pdf, range)) await writer.write(part);
	await writer.close();
	writeContents(pdf, placeholder, await buildCms(key, await digest.digest));
	return pdf;
}

export const sign: FinishStep = {
	name: "signature",
	applies: (input) => input.pdf.sign !== undefined,
	run: addSignatureField,
	afterSave: signSaved,
};
