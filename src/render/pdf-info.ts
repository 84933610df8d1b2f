// Facts about a finished PDF without a parser: Chrome (Skia) writes its page tree uncompressed.

/** The page count: the largest /Count of the /Type /Pages nodes (the root counts every page). */
export function countPages(pdf: Uint8Array): number {
	// latin1 keeps one char per byte, so binary streams cannot break the scan.
	const text = new TextDecoder("latin1").decode(pdf);
	let pages = 0;
	for (const dict of text.matchAll(/<<((?:(?!<<|>>)[\s\S])*?\/Type\s*\/Pages\b(?:(?!<<|>>)[\s\S])*?)>>/g)) {
		const count = dict[1]?.match(/\/Count\s+(\d+)/);
		if (count) pages = Math.max(pages, Number(count[1]));
	}
	return pages;
}

export function isPdf(bytes: Uint8Array): boolean {
	return bytes.byteLength > 5 && new TextDecoder().decode(bytes.subarray(0, 5)) === "%PDF-";
}
