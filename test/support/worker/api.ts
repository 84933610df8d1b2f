// Worker side: runs inside workerd, imported by the tests.
// Test helpers: call the Worker's own fetch handler as a client would, and wait on jobs.
import { exports } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import worker from "../../../src/index";
import { TEST_KEYS } from "../common/bindings";
import type { Job } from "../../../src/schemas/job";
import { poll } from "./poll";

export const BASE = "https://edge-pdf.test";

/** With `env`, the Worker's fetch handler runs with those bindings and vars (e.g. a var narrowed for one test). */
export async function api(path: string, init: RequestInit & { key?: string | null; env?: Env } = {}): Promise<Response> {
	const { key: given, env, ...rest } = init;
	const headers = new Headers(rest.headers);
	const key = given === undefined ? TEST_KEYS.acme : given;
	if (key !== null) headers.set("authorization", `Bearer ${key}`);
	const request = new Request(`${BASE}${path}`, { ...rest, headers });
	return env ? worker.fetch(request, env, createExecutionContext()) : exports.default.fetch(request);
}

export function postRender(body: unknown, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
	const headers = new Headers(init.headers);
	if (!headers.has("content-type")) headers.set("content-type", "application/json");
	return api("/v1/renders", { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), ...init, headers });
}

export async function getJob(id: string, key?: string): Promise<Job> {
	const res = await api(`/v1/renders/${id}`, { key });
	if (res.status !== 200) throw new Error(`GET ${id}: ${res.status} ${await res.text()}`);
	return res.json();
}

const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

/** Polls the job until `until` holds (by default: it has ended). */
export function waitForJob(id: string, until: (job: Job) => boolean = (j) => TERMINAL.has(j.status), timeout = 45_000, key?: string): Promise<Job> {
	return poll(
		async () => {
			const job = await getJob(id, key);
			return until(job) ? job : undefined;
		},
		{ timeout },
	);
}

/** Polls the job until its webhook reaches one of `statuses`. */
export function waitForWebhook(id: string, statuses: string[], timeout = 45_000): Promise<Job> {
	return waitForJob(id, (job) => job.webhook !== null && statuses.includes(job.webhook.status), timeout);
}

/** Creates an async render and waits for it to end. */
export async function renderToEnd(body: Record<string, unknown>): Promise<Job> {
	const res = await postRender(body);
	if (res.status !== 202) throw new Error(`POST: ${res.status} ${await res.text()}`);
	const job: Job = await res.json();
	return waitForJob(job.id);
}

/** Fetches a job's signed link as an anonymous client would (null: the job kept no copy). */
export function download(url: string | null, init: RequestInit = {}): Promise<Response> {
	if (url === null) throw new Error("the job has no download link");
	return exports.default.fetch(new Request(url, init));
}
