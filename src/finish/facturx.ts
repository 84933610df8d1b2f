// Factur-X (ZUGFeRD 2): a PDF/A-3 invoice whose XML (factur-x.xml, an attachment) is announced in
// the XMP by the Factur-X extension schema, as the Factur-X 1.0 specification shows it: the fx:
// properties and their pdfaExtension description. The XML itself is the client's; it is embedded as given.
import { FACTURX_FILE, type FacturX } from "../schemas/finishing";
import type { XmpExtensionSchema } from "./xmp";

export const FACTURX_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";

/** The Factur-X schema for the XMP: DocumentType, DocumentFileName, Version and ConformanceLevel. */
export function facturxSchema(facturx: FacturX): XmpExtensionSchema {
	const property = (name: string, description: string, value: string) => ({
		name,
		valueType: "Text" as const,
		category: "external" as const,
		description,
		value,
	});
	return {
		schema: "Factur-X PDFA Extension Schema",
		namespaceURI: FACTURX_NAMESPACE,
		prefix: "fx",
		properties: [
			property("DocumentFileName", "The name of the embedded XML document", FACTURX_FILE),
			property("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER", "INVOICE"),
			property("Version", "The actual version of the standard applying to the embedded XML document", "1.0"),
			property("ConformanceLevel", "The conformance level of the embedded XML document", facturx.profile),
		],
	};
}
