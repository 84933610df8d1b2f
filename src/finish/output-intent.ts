// The PDF/A output intent: the colour space the document's device colours mean, sRGB, with the ICC
// profile embedded (src/finish/assets/, the ICC's own sRGB2014 profile, unaltered). Chromium paints
// in DeviceRGB and DeviceGray (and ICC-based images), which PDF/A allows once an RGB intent is present.
import { PDFName, type PDFDocument, PDFString } from "pdf-lib";
import { SRGB_ICC_BASE64 } from "./assets/srgb-icc";

export const SRGB_CONDITION = "sRGB IEC61966-2.1";

let profile: Uint8Array | null = null;

/** The profile's bytes, decoded once per isolate. */
export function srgbProfile(): Uint8Array {
	if (!profile) profile = Uint8Array.from(atob(SRGB_ICC_BASE64), (c) => c.charCodeAt(0));
	return profile;
}

/** Sets the catalog's /OutputIntents to the one sRGB intent (any earlier intents are replaced). */
export function setOutputIntent(doc: PDFDocument): void {
	const icc = doc.context.register(doc.context.flateStream(srgbProfile(), { N: 3 }));
	const intent = doc.context.obj({
		Type: "OutputIntent",
		S: "GTS_PDFA1",
		OutputConditionIdentifier: PDFString.of(SRGB_CONDITION),
		Info: PDFString.of(SRGB_CONDITION),
		RegistryName: PDFString.of("http://www.color.org"),
		DestOutputProfile: icc,
	});
	doc.catalog.set(PDFName.of("OutputIntents"), doc.context.obj([doc.context.register(intent)]));
}
