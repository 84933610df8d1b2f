// Reading back what we stored ourselves (a Durable Object's SQLite rows, sealed values) through
// the schema of what was written. A value that does not match is a corrupted store, not bad input:
// the read throws CorruptedStore instead of going on with a guess or a default. Through the API
// that is a 500 INTERNAL "internal error" whose log line ("unhandled error") carries this message.
// The message names what was read and which fields are wrong, never a value: stored JSON may hold
// credentials, and a JSON.parse SyntaxError would quote the text it stopped at.
import type { z } from "@hono/zod-openapi";

export class CorruptedStore extends Error {
	constructor(what: string, problem: string) {
		super(`corrupted stored ${what}: ${problem}`);
		this.name = "CorruptedStore";
	}
}

/** `path: message` per zod issue; zod's messages say what was expected, not what was found. */
export function describeIssues(error: z.ZodError): string {
	return error.issues.map((issue) => `${issue.path.map(String).join(".") || "(value)"}: ${issue.message}`).join("; ");
}

/** JSON text to a value still to be checked; text that is not JSON is a corrupted store. */
export function parseStoredJson(what: string, json: string): unknown {
	try {
		return JSON.parse(json);
	} catch {
		throw new CorruptedStore(what, "not JSON");
	}
}

/** Stored JSON text as `schema`'s output, or CorruptedStore. */
export function parseStored<T extends z.ZodType>(schema: T, what: string, json: string): z.output<T> {
	const parsed = schema.safeParse(parseStoredJson(what, json));
	if (!parsed.success) throw new CorruptedStore(what, describeIssues(parsed.error));
	return parsed.data;
}
