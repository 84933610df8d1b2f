// Worker side: runs inside workerd, imported by the tests.
// The Worker's JSON log lines (src/log.ts), captured in the test's isolate, where the Worker runs too.
import { afterEach, beforeEach, vi } from "vitest";
import { poll, type PollOptions } from "./poll";

export interface LogCapture {
	/** Every line written so far, as text. */
	lines: string[];
	/** The lines that are JSON objects. */
	records: () => Array<Record<string, unknown>>;
	/** Waits for a record with all of `fields`, and returns it. */
	waitFor: (fields: Record<string, unknown>, options?: PollOptions) => Promise<Record<string, unknown>>;
	restore: () => void;
}

function parse(line: string): Record<string, unknown> | null {
	try {
		const value = JSON.parse(line) as unknown;
		return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

/** Captures the log lines of each test of the calling file (a fresh capture per test, restored after it). */
export function logsOfEachTest(): () => LogCapture {
	let current: LogCapture | null = null;
	beforeEach(() => {
		current = captureLogs();
	});
	afterEach(() => current?.restore());
	return () => {
		if (!current) throw new Error("logsOfEachTest: read inside a test");
		return current;
	};
}

/** Captures console.log and console.error until `restore()`. */
export function captureLogs(): LogCapture {
	const lines: string[] = [];
	const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
	const spies = [vi.spyOn(console, "log").mockImplementation(capture), vi.spyOn(console, "error").mockImplementation(capture)];
	const records = () => lines.map(parse).filter((r): r is Record<string, unknown> => r !== null);
	const matches = (r: Record<string, unknown>, fields: Record<string, unknown>) => Object.entries(fields).every(([k, v]) => r[k] === v);
	return {
		lines,
		records,
		waitFor: (fields, options) => poll(() => records().find((r) => matches(r, fields)), options),
		restore: () => {
			for (const spy of spies) spy.mockRestore();
		},
	};
}
