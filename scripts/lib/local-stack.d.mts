// Types for local-stack.mjs, for the TypeScript tests that start the stack (test/e2e).
export interface LocalStack {
	origin: string;
	port: number;
	dir: string;
	logFile: string;
	pid: number;
	stop: () => Promise<void>;
}
export interface LocalStackOptions {
	vars?: Record<string, string>;
	args?: string[];
	port?: number;
	healthTimeoutMs?: number;
	snapshot?: boolean;
	root?: string;
}
export function startLocalStack(options?: LocalStackOptions): Promise<LocalStack>;
export function withLocalStack<T>(options: LocalStackOptions, fn: (stack: LocalStack) => Promise<T>): Promise<T>;
export function freePort(): Promise<number>;
export const REPO_ROOT: string;
