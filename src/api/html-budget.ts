// The HTML one request may produce, counted over all of its parts: inline `html` and rendered
// templates (and any later source the API turns into HTML). Each template render is handed what is
// left as its cap, so twenty parts cannot hold twenty times the limit before the request is refused.
import { MAX_HTML_BYTES } from "../schemas/render-request";

export class HtmlBudget {
	private used = 0;

	constructor(readonly limit = MAX_HTML_BYTES) {}

	/** Bytes still allowed. */
	get left(): number {
		return this.limit - this.used;
	}

	/** Bytes counted so far. */
	get spent(): number {
		return this.used;
	}

	/** Counts `bytes`; false, counting nothing, when they do not fit in what is left. */
	take(bytes: number): boolean {
		if (bytes > this.left) return false;
		this.used += bytes;
		return true;
	}
}

/**
 * The UTF-8 length of `text` without encoding it: TextEncoder would copy up to 30 MB to learn one
 * number. A lone surrogate counts as U+FFFD (3 bytes), as TextEncoder writes it.
 */
export function utf8Length(text: string): number {
	let bytes = text.length;
	for (let i = 0; i < text.length; i++) {
		const unit = text.charCodeAt(i);
		if (unit < 0x80) continue;
		if (unit < 0x800) {
			bytes += 1;
			continue;
		}
		const next = text.charCodeAt(i + 1);
		if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
			// A surrogate pair: two UTF-16 units, four UTF-8 bytes.
			bytes += 2;
			i++;
			continue;
		}
		bytes += 2;
	}
	return bytes;
}
