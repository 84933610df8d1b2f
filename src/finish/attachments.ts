// Embedded files: each attachment becomes an /EmbeddedFile stream (its MIME type as /Subtype, /Params
// with /Size, /CreationDate and /ModDate) in a file specification (/F, /UF, /Desc, /AFRelationship),
// listed in the catalog's /Names /EmbeddedFiles and its /AF array, as PDF/A-3 asks of associated
// files. pdf-lib's `attach` writes all of that; two things it leaves wrong are put right here: it
// writes /F as a literal string of the raw name (unescaped parentheses break the file, characters
// past Latin-1 are cut to a byte), and it lists the names in the order they were attached, where a
// name tree must be sorted.
import { AFRelationship, PDFArray, PDFDict, PDFHexString, PDFName, type PDFDocument } from "pdf-lib";
import type { AfRelationship } from "../schemas/finishing";
import type { AttachmentFile, FinishStep } from "./step";

const RELATIONSHIPS: Record<AfRelationship, AFRelationship> = {
	Source: AFRelationship.Source,
	Data: AFRelationship.Data,
	Alternative: AFRelationship.Alternative,
	Supplement: AFRelationship.Supplement,
	Unspecified: AFRelationship.Unspecified,
};

/** /F, the file specification string: bytes, so the name in printable ASCII ("_" for anything else). */
export function asciiFileName(name: string): string {
	return name.replace(/[^\x20-\x7e]/g, "_");
}

/** Name tree keys sort by their bytes; for UTF-16BE keys that is the order of UTF-16 code units, JavaScript's. */
function byName(a: AttachmentFile, b: AttachmentFile): number {
	return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Every file specification the catalog's /AF lists gets its /F as a hex string of its ASCII name. */
function fixFileStrings(doc: PDFDocument): void {
	const af = doc.catalog.lookupMaybe(PDFName.of("AF"), PDFArray);
	for (let i = 0; i < (af?.size() ?? 0); i++) {
		const spec = af?.lookupMaybe(i, PDFDict);
		const unicode = spec?.lookupMaybe(PDFName.of("UF"), PDFHexString);
		if (!spec || !unicode) continue;
		const bytes = new TextEncoder().encode(asciiFileName(unicode.decodeText()));
		spec.set(PDFName.of("F"), PDFHexString.of(Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")));
	}
}

export const attachments: FinishStep = {
	name: "attachments",
	applies: (input) => input.attachments.length > 0,
	async run(doc, input) {
		for (const file of [...input.assets.attachments].sort(byName)) {
			await doc.attach(file.bytes, file.name, {
				mimeType: file.contentType,
				...(file.description !== undefined ? { description: file.description } : {}),
				creationDate: file.receivedAt,
				modificationDate: file.receivedAt,
				afRelationship: RELATIONSHIPS[file.relationship],
			});
		}
		// pdf-lib writes the file specifications when it saves; flushing writes them now, so they can be put right.
		await doc.flush();
		fixFileStrings(doc);
	},
};
