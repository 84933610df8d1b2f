// Worker side: runs inside workerd, imported by the tests.
// The one bounded poll of the suite: wait on a state, never on the clock.
import { vi } from "vitest";

export interface PollOptions {
	timeout?: number;
	interval?: number;
}

/** Calls `probe` until it returns a truthy value, and returns that; fails after `timeout` ms. */
export function poll<T>(probe: () => Promise<T | undefined> | T | undefined, { timeout = 45_000, interval = 100 }: PollOptions = {}): Promise<T> {
	return vi.waitUntil(async () => (await probe()) ?? false, { timeout, interval }) as Promise<T>;
}
