// The XMP metadata packet of a PDF/A document, as a string: the PDF/A identification (pdfaid), the
// Dublin Core, XMP basic and Adobe PDF properties that mirror the Info dictionary, and any extension
// schemas (Factur-X's) with the pdfaExtension description PDF/A requires of every schema it does not
// predefine. Pure string building; every value is escaped.

/** One property of an extension schema, as pdfaExtension describes it. */
export interface XmpExtensionProperty {
	name: string;
	valueType: "Text";
	category: "external" | "internal";
	description: string;
	value: string;
}

/** A schema PDF/A does not predefine: described in pdfaExtension:schemas, its values beside the others. */
export interface XmpExtensionSchema {
	schema: string;
	namespaceURI: string;
	prefix: string;
	properties: readonly XmpExtensionProperty[];
}

/** What the packet states: the Info dictionary's entries (absent ones are left out) and the PDF/A part. */
export interface XmpFields {
	part: 2 | 3;
	conformance: "B";
	title?: string;
	author?: string;
	subject?: string;
	keywords?: string;
	creatorTool?: string;
	producer?: string;
	createDate: Date;
	modifyDate: Date;
	extensions: readonly XmpExtensionSchema[];
}

/**
 * Text as XML element content: the markup characters escaped, and CR as a character reference (an
 * XML parser turns a literal CR into LF, and the value must read back equal to the Info entry).
 */
export function escapeXml(text: string): string {
	return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");
}

/** What XML 1.0 cannot carry at all (C0 controls but tab, LF and CR; lone surrogates; U+FFFE/U+FFFF). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` without what XML cannot carry; the Info entry is rewritten the same, so both agree. */
export function xmlSafe(text: string): string {
	return text.replace(NOT_XML, "");
}

/** An XMP date (ISO 8601, UTC, whole seconds): the instant a PDF date of the same second names. */
export function xmpDate(date: Date): string {
	return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const element = (name: string, value: string | undefined) => (value === undefined ? [] : [`<${name}>${escapeXml(value)}</${name}>`]);
const langAlt = (name: string, value: string | undefined) =>
	value === undefined ? [] : [`<${name}><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(value)}</rdf:li></rdf:Alt></${name}>`];
const seq = (name: string, value: string | undefined) =>
	value === undefined ? [] : [`<${name}><rdf:Seq><rdf:li>${escapeXml(value)}</rdf:li></rdf:Seq></${name}>`];

function description(namespaces: Record<string, string>, lines: string[]): string {
	const xmlns = Object.entries(namespaces)
		.map(([prefix, uri]) => ` xmlns:${prefix}="${escapeXml(uri)}"`)
		.join("");
	return [`  <rdf:Description rdf:about=""${xmlns}>`, ...lines.map((line) => `   ${line}`), "  </rdf:Description>"].join("\n");
}

function extensionDescription(schema: XmpExtensionSchema): string[] {
	const properties = schema.properties.flatMap((p) => [
		'<rdf:li rdf:parseType="Resource">',
		...element("pdfaProperty:name", p.name),
		...element("pdfaProperty:valueType", p.valueType),
		...element("pdfaProperty:category", p.category),
		...element("pdfaProperty:description", p.description),
		"</rdf:li>",
	]);
	return [
		'<rdf:li rdf:parseType="Resource">',
		...element("pdfaSchema:schema", schema.schema),
		...element("pdfaSchema:namespaceURI", schema.namespaceURI),
		...element("pdfaSchema:prefix", schema.prefix),
		"<pdfaSchema:property>",
		"<rdf:Seq>",
		...properties,
		"</rdf:Seq>",
		"</pdfaSchema:property>",
		"</rdf:li>",
	];
}

function extensions(schemas: readonly XmpExtensionSchema[]): string[] {
	if (schemas.length === 0) return [];
	const described = description(
		{
			pdfaExtension: "http://www.aiim.org/pdfa/ns/extension/",
			pdfaSchema: "http://www.aiim.org/pdfa/ns/schema#",
			pdfaProperty: "http://www.aiim.org/pdfa/ns/property#",
		},
		["<pdfaExtension:schemas>", "<rdf:Bag>", ...schemas.flatMap(extensionDescription), "</rdf:Bag>", "</pdfaExtension:schemas>"],
	);
	const values = schemas.map((s) =>
		description(
			{ [s.prefix]: s.namespaceURI },
			s.properties.flatMap((p) => element(`${s.prefix}:${p.name}`, p.value)),
		),
	);
	return [described, ...values];
}

/** The whole packet, UTF-8 text with its xpacket wrapper (written uncompressed as the catalog's /Metadata). */
export function xmpPacket(fields: XmpFields): string {
	const modified = xmpDate(fields.modifyDate);
	const body = [
		description({ pdfaid: "http://www.aiim.org/pdfa/ns/id/" }, [
			`<pdfaid:part>${fields.part}</pdfaid:part>`,
			`<pdfaid:conformance>${fields.conformance}</pdfaid:conformance>`,
		]),
		description({ dc: "http://purl.org/dc/elements/1.1/" }, [
			"<dc:format>application/pdf</dc:format>",
			...langAlt("dc:title", fields.title),
			...seq("dc:creator", fields.author),
			...langAlt("dc:description", fields.subject),
		]),
		description({ xmp: "http://ns.adobe.com/xap/1.0/" }, [
			...element("xmp:CreatorTool", fields.creatorTool),
			`<xmp:CreateDate>${xmpDate(fields.createDate)}</xmp:CreateDate>`,
			`<xmp:ModifyDate>${modified}</xmp:ModifyDate>`,
			`<xmp:MetadataDate>${modified}</xmp:MetadataDate>`,
		]),
		description({ pdf: "http://ns.adobe.com/pdf/1.3/" }, [...element("pdf:Producer", fields.producer), ...element("pdf:Keywords", fields.keywords)]),
		...extensions(fields.extensions),
	];
	return [
		'<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
		'<x:xmpmeta xmlns:x="adobe:ns:meta/">',
		' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
		...body,
		" </rdf:RDF>",
		"</x:xmpmeta>",
		'<?xpacket end="w"?>',
	].join("\n");
}
