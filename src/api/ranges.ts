// RFC 9110 conditional and range requests for the downloads, decided here and not by R2:
// §13.1 preconditions (If-Match, If-None-Match, If-Range) and §14 byte ranges (one range).

export type RangeDecision =
	/** No usable Range: the whole representation, 200. */
	| { kind: "full" }
	| { kind: "partial"; start: number; end: number }
	/** 416 with Content-Range: bytes *\/size. */
	| { kind: "unsatisfiable" };

const SINGLE = /^(\d*)-(\d*)$/;

/**
 * One `bytes` range is served (206). Another unit, or several ranges, are ignored (200 with the whole
 * file, which §14.2 allows). A malformed or unsatisfiable byte range answers 416.
 */
export function decideRange(header: string | null, size: number): RangeDecision {
	if (header === null) return { kind: "full" };
	const eq = header.indexOf("=");
	const unit = (eq === -1 ? header : header.slice(0, eq)).trim().toLowerCase();
	if (unit !== "bytes") return { kind: "full" };
	if (eq === -1) return { kind: "unsatisfiable" };
	const set = header.slice(eq + 1).trim();
	if (set.includes(",")) return { kind: "full" };
	const m = SINGLE.exec(set);
	if (!m || (m[1] === "" && m[2] === "")) return { kind: "unsatisfiable" };
	const [first, last] = [m[1] ?? "", m[2] ?? ""];
	if (first === "") {
		// Suffix range: the last N bytes (all of them when N >= size); "-0" selects nothing.
		const suffix = Number(last);
		return suffix === 0 || size === 0 ? { kind: "unsatisfiable" } : { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
	}
	const start = Number(first);
	const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
	if (last !== "" && Number(last) < start) return { kind: "unsatisfiable" };
	if (start >= size) return { kind: "unsatisfiable" };
	return { kind: "partial", start, end };
}

/** The entity tags of an If-Match / If-None-Match / If-Range value; "*" stands for any. */
function entityTags(header: string): string[] {
	return header.match(/\*|(?:W\/)?"[^"]*"/g) ?? [];
}

const opaque = (tag: string) => tag.replace(/^W\//, "");

/** §13.1.1: strong comparison; false also for a value with no valid tag. */
export function ifMatchPasses(header: string, etag: string): boolean {
	return entityTags(header).some((tag) => tag === "*" || (!tag.startsWith("W/") && tag === etag));
}

/** §13.1.2: weak comparison. */
export function ifNoneMatchHits(header: string, etag: string): boolean {
	return entityTags(header).some((tag) => tag === "*" || opaque(tag) === opaque(etag));
}

/** §13.1.5: the range applies only to the representation named by a strong validator. */
export function ifRangePasses(header: string | null, etag: string): boolean {
	if (header === null) return true;
	const value = header.trim();
	return !value.startsWith("W/") && value === etag;
}
