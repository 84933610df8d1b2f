// Worker side: runs inside workerd, imported by the tests.
// Stored templates through the API, as a client saves them.
import { expect } from "vitest";
import { api } from "./api";

export interface TemplateView {
	id: string;
	name: string;
	version: number;
	versions: number[];
	html: string;
	sampleData: Record<string, unknown> | null;
}

export const send = (method: string, path: string, body: unknown, key?: string) =>
	api(path, { method, body: JSON.stringify(body), headers: { "content-type": "application/json" }, key });

/** A fresh name per test run, so tests never collide on the tenant's unique names. */
export const uniqueName = (base: string) => `${base}-${crypto.randomUUID().slice(0, 8)}`;

/** POST /v1/templates: version 1. */
export async function saveTemplate(name: string, html: string, sampleData?: Record<string, unknown>, key?: string): Promise<TemplateView> {
	const res = await send("POST", "/v1/templates", { name, html, sampleData }, key);
	expect(res.status, await res.clone().text()).toBe(201);
	return res.json();
}

/** PUT /v1/templates/{id}: the next version (a new name with it, if given). */
export async function saveVersion(id: string, html: string, name?: string, key?: string): Promise<TemplateView> {
	const res = await send("PUT", `/v1/templates/${id}`, { html, name }, key);
	expect(res.status, await res.clone().text()).toBe(200);
	return res.json();
}
