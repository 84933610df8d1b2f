// The credential scoping rules themselves, as both address policies use them.
import { describe, expect, it } from "vitest";
import { credentialHeaders, jarCookies, scopeCredentials } from "../src/render/credentials";

const page = {
	headers: { "x-api-key": "k" },
	basicAuth: { username: "u", password: "p" },
	cookies: [
		{ name: "sid", value: "1" },
		{ name: "admin", value: "2", path: "/admin" },
		{ name: "tls", value: "3", secure: true },
		{ name: "scoped", value: "4", domain: "example.com" },
	],
};

describe("credential scoping", () => {
	const credentials = scopeCredentials("http://app.example.com:8080/start?x=1", page)!;

	it("adds the caller's headers, basic auth and matching cookies on the url's origin only", () => {
		expect(credentialHeaders("http://app.example.com:8080/img.png", credentials)).toEqual({
			"x-api-key": "k",
			authorization: `Basic ${btoa("u:p")}`,
			cookie: "sid=1",
		});
		expect(credentialHeaders("http://app.example.com:8080/admin/x", credentials, "jar=0")?.cookie).toBe("jar=0; sid=1; admin=2");
		for (const other of ["http://app.example.com:8081/img.png", "https://app.example.com:8080/", "http://cdn.example.com:8080/", "not a url"]) {
			expect(credentialHeaders(other, credentials), other).toBeNull();
		}
	});

	it("keeps an explicit authorization header over basicAuth, and domain cookies for the jar", () => {
		expect(scopeCredentials("https://a.example/", { ...page, headers: { Authorization: "Bearer t" } })?.headers).toEqual({ Authorization: "Bearer t" });
		expect(jarCookies(page).map((c) => c.name)).toEqual(["scoped"]);
	});

	it("has nothing to send for an html job or a page without credentials", () => {
		expect(scopeCredentials(null, page)).toBeNull();
		expect(scopeCredentials("https://a.example/", {})).toBeNull();
	});
});
