// The font a text stamp is written in: one of the 14 standard fonts (never embedded: every reader
// has them; the API refused text their encoding lacks), or a tenant face, embedded as a subset of
// the glyphs the stamps use (pdf-lib writes the subset when the document is saved).
import fontkit from "@pdf-lib/fontkit";
import { type PDFDocument, type PDFFont, StandardFonts } from "pdf-lib";
import { DEFAULT_STAMP_FONT, isStandardFont, type StandardFont, type StoredStamp } from "../schemas/stamps";
import { FinishError } from "./step";

/** The API's names of the standard fonts as pdf-lib spells them. */
const PDF_LIB_NAMES: Record<StandardFont, StandardFonts> = {
	Helvetica: StandardFonts.Helvetica,
	"Helvetica-Bold": StandardFonts.HelveticaBold,
	"Helvetica-Oblique": StandardFonts.HelveticaOblique,
	"Helvetica-BoldOblique": StandardFonts.HelveticaBoldOblique,
	"Times-Roman": StandardFonts.TimesRoman,
	"Times-Bold": StandardFonts.TimesRomanBold,
	"Times-Italic": StandardFonts.TimesRomanItalic,
	"Times-BoldItalic": StandardFonts.TimesRomanBoldItalic,
	Courier: StandardFonts.Courier,
	"Courier-Bold": StandardFonts.CourierBold,
	"Courier-Oblique": StandardFonts.CourierOblique,
	"Courier-BoldOblique": StandardFonts.CourierBoldOblique,
	Symbol: StandardFonts.Symbol,
	ZapfDingbats: StandardFonts.ZapfDingbats,
};

/**
 * The name a subset is embedded under: a tag of six capital letters, "+", the PostScript name
 * (ISO 32000-1, 9.6.4), so readers and checkers (pdffonts' "sub" column) see a subset. pdf-lib's
 * own name for it is the PostScript name with a number after it, which says nothing of the kind.
 */
function subsetName(bytes: Uint8Array): string {
	const tag = String.fromCharCode(...crypto.getRandomValues(new Uint8Array(6)).map((n) => 65 + (n % 26)));
	return `${tag}+${fontkit.create(bytes).postscriptName || "Font"}`;
}

/** Embeds each font once per document, however many stamps use it. */
export class StampFonts {
	private readonly standard = new Map<string, Promise<PDFFont>>();
	private readonly tenant = new Map<Uint8Array, Promise<PDFFont>>();
	private fontkitRegistered = false;

	constructor(private readonly doc: PDFDocument) {}

	/** The stamp's font: `bytes` are its tenant face's, loaded beforehand (absent for a standard font). */
	fontOf(stamp: StoredStamp, index: number, bytes: Uint8Array | undefined): Promise<PDFFont> {
		const name = stamp.font ?? DEFAULT_STAMP_FONT;
		if (isStandardFont(name)) return this.once(this.standard, name, () => this.doc.embedStandardFont(PDF_LIB_NAMES[name]));
		if (!bytes) throw new FinishError(`pdf.stamps.${index}: the font "${name}" is no longer among the tenant's fonts`);
		return this.once(this.tenant, bytes, async () => {
			if (!this.fontkitRegistered) this.doc.registerFontkit(fontkit);
			this.fontkitRegistered = true;
			try {
				return await this.doc.embedFont(bytes, { subset: true, customName: subsetName(bytes) });
			} catch (err) {
				throw new FinishError(`pdf.stamps.${index}: the font "${name}" could not be embedded`, err);
			}
		});
	}

	private once<K>(cache: Map<K, Promise<PDFFont>>, key: K, embed: () => Promise<PDFFont> | PDFFont): Promise<PDFFont> {
		let font = cache.get(key);
		if (!font) {
			font = Promise.resolve().then(embed);
			cache.set(key, font);
		}
		return font;
	}
}
