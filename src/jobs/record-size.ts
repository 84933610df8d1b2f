// How large a job record is as its Durable Object stores it (the JSON of the record). A deployed
// Durable Object value holds 2 MB; a new record may take at most 1 MiB, which leaves room for what a
// job adds over its life (attempts, webhook attempts, its terminal event's body: tens of KB, and its
// render report, held to REPORT_MAX_BYTES in src/schemas/report.ts, once in the record and once in
// that event's body).
import type { JobRecord } from "./record";

export const MAX_RECORD_BYTES = 1024 * 1024;

const encoder = new TextEncoder();

/** UTF-8 bytes of `value` as JSON (0 for what JSON leaves out). */
export function jsonBytes(value: unknown): number {
	const json = JSON.stringify(value) as string | undefined;
	return json === undefined ? 0 : encoder.encode(json).byteLength;
}

/** Stored names that differ from the request's: the request's webhook headers are kept sealed. */
const REQUEST_NAME: Record<string, string> = { sealedHeaders: "headers" };

const isContainer = (value: unknown): value is object => typeof value === "object" && value !== null;

/**
 * The part of the record that takes the most, as a request path ("parts.3.page.headers"): down the
 * largest child while it is an object or array; a string is named only when it holds most of its
 * parent (pdf.headerTemplate), so 45 headers of equal size are named together (page.headers).
 */
export function largestPart(record: JobRecord): { path: string; bytes: number } {
	let node: object = record;
	let bytes = jsonBytes(record);
	const path: string[] = [];
	for (;;) {
		const children = Object.entries(node).map(([key, value]) => ({ key, value: value as unknown, bytes: jsonBytes(value) }));
		const top = children.reduce<(typeof children)[number] | undefined>((best, child) => (best && best.bytes >= child.bytes ? best : child), undefined);
		if (!top || (!isContainer(top.value) && top.bytes * 2 < bytes)) break;
		path.push(REQUEST_NAME[top.key] ?? top.key);
		bytes = top.bytes;
		if (!isContainer(top.value)) break;
		node = top.value;
	}
	return { path: path.join(".") || "(body)", bytes };
}
