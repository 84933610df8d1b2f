// The encryption step: AES-256 under the standard security handler, revision 6 (ISO 32000-2,
// 7.6). Every string and stream of every object is encrypted with the file key (AES-256-CBC, a
// random 16-byte IV in front, PKCS#7 padding), the /Encrypt dictionary and a file /ID go into the
// trailer. It runs last: nothing may change the document after it, or plaintext would be written
// into an encrypted file. The document is then saved without object streams (finishing.ts), so
// there is no cross-reference stream to leave in the clear.
import {
	PDFArray,
	PDFDict,
	PDFHexString,
	PDFName,
	PDFNumber,
	type PDFDocument,
	type PDFObject,
	PDFRawStream,
	PDFStream,
	PDFString,
	type PDFContext,
} from "pdf-lib";
import { hex } from "../security/crypto";
import { randomOwnerPassword, securityValues, type SecurityValues } from "./encrypt-keys";
import { permissionBits } from "./permissions";
import { FinishError, type FinishStep } from "./step";

type Encryptor = (data: Uint8Array) => Promise<Uint8Array>;

async function encryptorFor(fileKey: Uint8Array): Promise<Encryptor> {
	const key = await crypto.subtle.importKey("raw", fileKey, "AES-CBC", false, ["encrypt"]);
	return async (data) => {
		const iv = crypto.getRandomValues(new Uint8Array(16));
		const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, key, data));
		const out = new Uint8Array(16 + sealed.byteLength);
		out.set(iv);
		out.set(sealed, 16);
		return out;
	};
}

/**
 * The object with every string in it encrypted (a string becomes a hex string: no escaping to get
 * wrong). Dictionaries and arrays are changed in place; a string is replaced, so its new value is returned.
 */
async function encryptStrings(object: PDFObject, encrypt: Encryptor): Promise<PDFObject> {
	if (object instanceof PDFString || object instanceof PDFHexString) return PDFHexString.of(hex(await encrypt(object.asBytes())));
	if (object instanceof PDFDict) {
		for (const [key, value] of object.entries()) object.set(key, await encryptStrings(value, encrypt));
	} else if (object instanceof PDFArray) {
		for (let i = 0; i < object.size(); i++) object.set(i, await encryptStrings(object.get(i), encrypt));
	}
	return object;
}

const isXRefStream = (stream: PDFStream) => stream.dict.get(PDFName.of("Type")) === PDFName.of("XRef");

/** Every indirect object's strings and streams, encrypted. A stream pdf-lib builds (page content, fonts) is encoded first. */
async function encryptObjects(context: PDFContext, encrypt: Encryptor): Promise<void> {
	for (const [ref, object] of context.enumerateIndirectObjects()) {
		if (object instanceof PDFStream) {
			if (isXRefStream(object)) continue;
			await encryptStrings(object.dict, encrypt);
			context.assign(ref, PDFRawStream.of(object.dict, await encrypt(object.getContents())));
		} else {
			context.assign(ref, await encryptStrings(object, encrypt));
		}
	}
}

const hexOf = (bytes: Uint8Array) => PDFHexString.of(hex(bytes));

/** The /Encrypt dictionary: V 5, R 6, one crypt filter (AESV3) for strings and streams, metadata encrypted. */
function encryptDictionary(context: PDFContext, values: SecurityValues, p: number): PDFDict {
	const stdCF = context.obj({ Type: "CryptFilter", CFM: "AESV3", AuthEvent: "DocOpen", Length: 32 });
	return context.obj({
		Filter: "Standard",
		V: 5,
		R: 6,
		Length: 256,
		CF: context.obj({ StdCF: stdCF }),
		StmF: "StdCF",
		StrF: "StdCF",
		P: PDFNumber.of(p),
		O: hexOf(values.O),
		U: hexOf(values.U),
		OE: hexOf(values.OE),
		UE: hexOf(values.UE),
		Perms: hexOf(values.Perms),
		EncryptMetadata: true,
	});
}

/** The trailer's file /ID: the document's own if it has one, else a fresh random one (twice, as a new file's). */
function ensureFileId(context: PDFContext): void {
	if (context.trailerInfo.ID) return;
	const id = hexOf(crypto.getRandomValues(new Uint8Array(16)));
	context.trailerInfo.ID = context.obj([id, id]);
}

export const encrypt: FinishStep = {
	name: "encryption",
	applies: (input) => input.encrypt !== null,
	async run(doc: PDFDocument, input) {
		if (!input.encrypt) return;
		if (doc.context.trailerInfo.Encrypt) throw new FinishError("encryption: the document is already encrypted");
		const passwords = await input.encrypt.passwords();
		// Sealed with a SIGNING_SECRET no longer in force, or erased: the job cannot be encrypted as asked.
		if (!passwords) throw new FinishError("encryption: the job's passwords could not be opened");
		const p = permissionBits(input.encrypt.permissions);
		const values = await securityValues(passwords.userPassword, passwords.ownerPassword ?? randomOwnerPassword(), p);
		// Fonts, images and pages embedded by earlier steps are written into the context now, so they are encrypted too.
		await doc.flush();
		await encryptObjects(doc.context, await encryptorFor(values.fileKey));
		doc.context.trailerInfo.Encrypt = doc.context.register(encryptDictionary(doc.context, values, p));
		ensureFileId(doc.context);
	},
};
