// Worker side: runs inside workerd, imported by the tests.
// The one check of an error answer: status, JSON content type, `{ error: { code, message, details? } }`.
import { expect } from "vitest";

export interface ErrorBody {
	error: { code: string; message: string; details?: Array<{ path: string; message: string }> };
}

/** Asserts the answer is the JSON error `code` with `status`, and returns its `error` object. */
export async function expectError(res: Response, status: number, code: string): Promise<ErrorBody["error"]> {
	expect(res.status).toBe(status);
	expect(res.headers.get("content-type")).toMatch(/^application\/json/);
	const body = (await res.json()) as ErrorBody;
	expect(body.error.code).toBe(code);
	expect(body.error.message.length).toBeGreaterThan(0);
	return body.error;
}

/** An error answer reduced to what tests compare: status, code, message, its details and the paths they name. */
export async function errorOf(res: Response) {
	const body = (await res.json()) as ErrorBody;
	const details = body.error.details ?? [];
	return { status: res.status, code: body.error.code, message: body.error.message, details, paths: details.map((d) => d.path) };
}
