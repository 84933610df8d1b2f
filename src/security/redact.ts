// Secrets out of logs and error messages: a URL keeps its scheme, host and path; its userinfo,
// query and fragment (where tokens, signatures and passwords live) are replaced by a marker.
// Applied centrally (src/log.ts, the job's recorded error, API error answers), so no caller has
// to remember it.

/** An absolute URL inside free text (puppeteer's "net::ERR_… at https://…", R2's messages, …). */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
/** What stands in for a removed part, so a reader sees that something was there. */
export const REDACTED = "[redacted]";

/** The URL without userinfo, query and fragment, marked when something was removed. */
export function redactUrl(raw: string): string {
	try {
		const url = new URL(raw);
		const hadSecrets = url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "";
		// Opaque URLs (data:, blob:…) print as a whole; keep only the scheme.
		if (url.host === "" && !raw.includes("://")) return `${url.protocol}${REDACTED}`;
		const base = `${url.protocol}//${url.host}${url.pathname}`;
		return hadSecrets ? `${base}?${REDACTED}` : base;
	} catch {
		// Not parseable: cut userinfo and everything from the first "?" or "#" by hand.
		const m = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^/?#]*@)?([^?#]*)(.*)$/is.exec(raw);
		if (!m) return REDACTED;
		const changed = raw !== `${m[1]}${m[2]}`;
		return changed ? `${m[1]}${m[2]}?${REDACTED}` : raw;
	}
}

/** Every URL inside `text`, redacted. */
export function redactText(text: string): string {
	return text.replace(URL_IN_TEXT, (match) => {
		// Sentence punctuation right after a URL is not part of it.
		const trail = /[.,;:)\]}]+$/.exec(match)?.[0] ?? "";
		return redactUrl(match.slice(0, match.length - trail.length)) + trail;
	});
}

/** Field names whose values are secrets whatever they hold (userPassword, ownerPassword, basicAuth's password, …). */
const SECRET_FIELD = /password/i;

/** A log line's fields with every string, at any depth, redacted; a password field's value replaced whole. */
export function redactValue(value: unknown): unknown {
	if (typeof value === "string") return redactText(value);
	if (Array.isArray(value)) return value.map(redactValue);
	if (value instanceof Error) return redactText(value.message);
	if (value !== null && typeof value === "object")
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) ? REDACTED : redactValue(v)]));
	return value;
}
