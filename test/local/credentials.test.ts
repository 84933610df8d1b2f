// page.headers, basicAuth and domain-less cookies reach the origin of `url` only: never a second
// origin on another port of the same host, whether it is a third-party subresource, a cross-origin
// fetch or the target of a redirect. (Private networks are allowed here, so 127.0.0.1 renders.)
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { renderToEnd } from "../support/worker/api";
import type { CredentialHit } from "../support/common/servers";
import { serverJson } from "../support/worker/server-json";

async function hits(token: string): Promise<CredentialHit[]> {
	return serverJson<CredentialHit[]>(`${inject("credentialOrigins").target}/__log/${token}`);
}

describe("caller credentials", () => {
	it("go to the target origin on every request, and to nothing on another port", async () => {
		const token = crypto.randomUUID();
		const { target } = inject("credentialOrigins");
		const job = await renderToEnd({
			url: `${target}/cred/${token}/page`,
			page: {
				waitUntil: "networkidle0",
				headers: { "x-tenant-secret": "header-secret" },
				basicAuth: { username: "tenant", password: "basic-secret" },
				cookies: [{ name: "sid", value: "cookie-secret" }],
			},
		});
		expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
		const log = await hits(token);
		const toTarget = log.filter((h) => h.server === "target");
		const toOther = log.filter((h) => h.server === "other");
		// The page, a same-origin image and the redirecting URL; the other origin: a third-party image, a fetch and the redirect's target.
		expect(toTarget.map((h) => h.path).sort()).toEqual(expect.arrayContaining(["page", "redirect", "same.png"]));
		expect(toOther.map((h) => h.path).sort()).toEqual(expect.arrayContaining(["fetch", "redirected.png", "third-party.png"]));
		for (const hit of toTarget.filter((h) => h.path !== "favicon.ico")) {
			expect(hit, hit.path).toMatchObject({ secret: "header-secret", authorization: `Basic ${btoa("tenant:basic-secret")}`, cookie: "sid=cookie-secret" });
		}
		for (const hit of toOther) expect(hit, hit.path).toMatchObject({ secret: null, authorization: null, cookie: null });
	});
});
