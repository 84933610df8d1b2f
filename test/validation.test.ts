// Bad input never reaches a job: each case answers a 4xx JSON error naming what is wrong.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, download, postRender, renderToEnd } from "./support/worker/api";
import { expectError } from "./support/worker/errors";

const ok = { html: "<p>x</p>" };

/** [name, body, path that `details` must name] */
const FIELD_CASES: Array<[string, unknown, string]> = [
	["neither url nor html", {}, "url"],
	["both url and html", { url: "https://example.com", html: "<p>x</p>" }, "url"],
	["unknown top-level key", { ...ok, colour: "red" }, "colour"],
	["unknown pdf key", { ...ok, pdf: { paper: "A4" } }, "pdf.paper"],
	["html not a string", { html: 42 }, "html"],
	["empty html", { html: "" }, "html"],
	["pdf.format unknown", { ...ok, pdf: { format: "A9" } }, "pdf.format"],
	["pdf.scale too big", { ...ok, pdf: { scale: 3 } }, "pdf.scale"],
	["pdf.scale too small", { ...ok, pdf: { scale: 0 } }, "pdf.scale"],
	["pdf.landscape not boolean", { ...ok, pdf: { landscape: "yes" } }, "pdf.landscape"],
	["pdf.margin bad length", { ...ok, pdf: { margin: { top: "ten" } } }, "pdf.margin.top"],
	["pdf.width bad unit", { ...ok, pdf: { width: "10furlongs" } }, "pdf.width"],
	["pdf.pageRanges garbage", { ...ok, pdf: { pageRanges: "first-last" } }, "pdf.pageRanges"],
	["page.delayMs too long", { ...ok, page: { delayMs: 10001 } }, "page.delayMs"],
	["page.delayMs negative", { ...ok, page: { delayMs: -1 } }, "page.delayMs"],
	["page.timeoutMs too short", { ...ok, page: { timeoutMs: 999 } }, "page.timeoutMs"],
	["page.timeoutMs too long", { ...ok, page: { timeoutMs: 120001 } }, "page.timeoutMs"],
	["page.waitUntil unknown", { ...ok, page: { waitUntil: "idle" } }, "page.waitUntil"],
	["page.emulateMediaType unknown", { ...ok, page: { emulateMediaType: "tv" } }, "page.emulateMediaType"],
	["page.viewport.width zero", { ...ok, page: { viewport: { width: 0, height: 800 } } }, "page.viewport.width"],
	["page.viewport.width fractional", { ...ok, page: { viewport: { width: 10.5, height: 800 } } }, "page.viewport.width"],
	["header value with CRLF", { ...ok, page: { headers: { "X-A": "a\r\nX-Injected: 1" } } }, "page.headers.X-A"],
	["header name with space", { ...ok, page: { headers: { "Bad Name": "v" } } }, "page.headers.Bad Name"],
	["user agent with LF", { ...ok, page: { userAgent: "ua\nX: y" } }, "page.userAgent"],
	["cookie without name", { url: "https://example.com", page: { cookies: [{ value: "v" }] } }, "page.cookies.0.name"],
	["cookie without domain for html", { ...ok, page: { cookies: [{ name: "a", value: "b" }] } }, "page.cookies"],
	["basicAuth missing password", { ...ok, page: { basicAuth: { username: "u" } } }, "page.basicAuth.password"],
	["async not boolean", { ...ok, async: "no" }, "async"],
	["expiresIn below 60", { ...ok, expiresIn: 59 }, "expiresIn"],
	["expiresIn above 7 days", { ...ok, expiresIn: 604801 }, "expiresIn"],
	["filename empty", { ...ok, filename: "" }, "filename"],
	["filename too long", { ...ok, filename: "a".repeat(256) }, "filename"],
	["webhook without url", { ...ok, webhook: { method: "POST" } }, "webhook.url"],
	["webhook method GET", { ...ok, webhook: { url: "https://hooks.example.com/x", method: "GET" } }, "webhook.method"],
	["metadata value too long", { ...ok, metadata: { a: "x".repeat(513) } }, "metadata.a"],
	["metadata value not string", { ...ok, metadata: { a: 1 } }, "metadata.a"],
	["metadata with 17 keys", { ...ok, metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) }, "metadata"],
	["metadata key too long", { ...ok, metadata: { ["k".repeat(65)]: "v" } }, `metadata.${"k".repeat(65)}`],
	["url too long", { url: `https://example.com/${"a".repeat(8200)}` }, "url"],
	["url not a string", { url: ["https://example.com"] }, "url"],
	["header value too long", { ...ok, page: { headers: { "X-Big": "v".repeat(8193) } } }, "page.headers.X-Big"],
	["51 headers", { ...ok, page: { headers: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`X-H${i}`, "v"])) } }, "page.headers"],
	["51 cookies", { url: "https://example.com", page: { cookies: Array.from({ length: 51 }, (_, i) => ({ name: `c${i}`, value: "v" })) } }, "page.cookies"],
	["cookie value with CRLF", { url: "https://example.com", page: { cookies: [{ name: "a", value: "b\r\nSet-Cookie: x=y" }] } }, "page.cookies.0.value"],
	["user agent too long", { ...ok, page: { userAgent: "u".repeat(1025) } }, "page.userAgent"],
	["waitForSelector too long", { ...ok, page: { waitForSelector: "#".repeat(1001) } }, "page.waitForSelector"],
	["waitForFunction over 2 KiB", { ...ok, page: { waitForFunction: "1".repeat(2049) } }, "page.waitForFunction"],
	["waitForFunction with JavaScript off", { ...ok, page: { javaScriptEnabled: false, waitForFunction: "window.done" } }, "page.waitForFunction"],
	["waitForWindowStatus with JavaScript off", { ...ok, page: { javaScriptEnabled: false, waitForWindowStatus: "ready" } }, "page.waitForWindowStatus"],
	[
		"a part's waitForFunction with JavaScript off",
		{ parts: [{ html: "<p>x</p>", page: { javaScriptEnabled: false, waitForFunction: "1" } }] },
		"parts.0.page.waitForFunction",
	],
	["page.ready networkIdleMs too long", { ...ok, page: { ready: { networkIdleMs: 10001 } } }, "page.ready.networkIdleMs"],
	["page.ready true (only false turns it off)", { ...ok, page: { ready: true } }, "page.ready"],
	["page.failOn unknown check", { ...ok, page: { failOn: { warnings: true } } }, "page.failOn.warnings"],
	["headerTemplate too long", { ...ok, pdf: { headerTemplate: "h".repeat(100_001) } }, "pdf.headerTemplate"],
	["viewport scale too big", { ...ok, page: { viewport: { width: 800, height: 600, deviceScaleFactor: 5 } } }, "page.viewport.deviceScaleFactor"],
	["webhook header with LF", { ...ok, webhook: { url: "https://hooks.example.com/x", headers: { "X-Sig": "a\nb" } } }, "webhook.headers.X-Sig"],
	["header value with NUL", { ...ok, page: { headers: { "X-A": "a\u0000b" } } }, "page.headers.X-A"],
	["webhook header with NUL", { ...ok, webhook: { url: "https://hooks.example.com/x", headers: { "X-Sig": "a\u0000b" } } }, "webhook.headers.X-Sig"],
	["user agent with NUL", { ...ok, page: { userAgent: "ua\u0000" } }, "page.userAgent"],
	["cookie value with NUL", { url: "https://example.com", page: { cookies: [{ name: "a", value: "b\u0000" }] } }, "page.cookies.0.value"],
	["basicAuth username with NUL", { ...ok, page: { basicAuth: { username: "u\u0000", password: "p" } } }, "page.basicAuth.username"],
	["basicAuth password with CR", { ...ok, page: { basicAuth: { username: "u", password: "p\rX-Injected: 1" } } }, "page.basicAuth.password"],
	["basicAuth password with LF", { ...ok, page: { basicAuth: { username: "u", password: "p\n" } } }, "page.basicAuth.password"],
	["webhook url not a string", { ...ok, webhook: { url: 42 } }, "webhook.url"],
	["unknown webhook key", { ...ok, webhook: { url: "https://hooks.example.com/x", secret: "s" } }, "webhook.secret"],
	["expiresIn fractional", { ...ok, expiresIn: 90.5 }, "expiresIn"],
	["body is null", null, "(body)"],
	["body is a number", 42, "(body)"],
];

const URL_CASES: Array<[string, unknown, string]> = [
	["file: scheme", { url: "file:///etc/passwd" }, "url"],
	["loopback", { url: "http://127.0.0.1/" }, "url"],
	["decimal loopback", { url: "http://2130706433/" }, "url"],
	["cloud metadata", { url: "http://169.254.169.254/latest/meta-data" }, "url"],
	["localhost", { url: "http://localhost:8787/" }, "url"],
	["not a URL", { url: "example" }, "url"],
	["http webhook in production", { ...ok, webhook: { url: "http://hooks.example.com/x" } }, "webhook.url"],
	["private webhook", { ...ok, webhook: { url: "https://10.0.0.8/hook" } }, "webhook.url"],
];

async function storedObjects(): Promise<number> {
	return (await env.DOCUMENTS.list()).objects.length;
}

describe("POST /v1/renders validation", () => {
	const cases = (list: typeof FIELD_CASES) => list.map(([name, body, path]) => ({ name, body, path }));

	it.each(cases(FIELD_CASES))("$name → 400 naming $path", async ({ body, path }) => {
		const error = await expectError(await postRender(body), 400, "INVALID_REQUEST");
		expect(error.details?.map((d) => d.path)).toContain(path);
	});

	it.each(cases(URL_CASES))("$name → 400 URL_NOT_ALLOWED naming $path", async ({ body, path }) => {
		const error = await expectError(await postRender(body), 400, "URL_NOT_ALLOWED");
		expect(error.details?.map((d) => d.path)).toContain(path);
	});

	it("malformed JSON → 400", async () => {
		await expectError(await postRender('{"html": "<p>x</p>",'), 400, "INVALID_REQUEST");
	});

	it("JSON that is not an object → 400", async () => {
		await expectError(await postRender("[1,2,3]"), 400, "INVALID_REQUEST");
	});

	it("wrong content-type → 415", async () => {
		await expectError(await postRender(JSON.stringify(ok), { headers: { "content-type": "text/plain" } }), 415, "UNSUPPORTED_MEDIA_TYPE");
	});

	it("missing content-type → 415", async () => {
		await expectError(await api("/v1/renders", { method: "POST", body: new Blob([JSON.stringify(ok)]) }), 415, "UNSUPPORTED_MEDIA_TYPE");
	});

	it("body over 10 MiB → 413", async () => {
		const huge = JSON.stringify({ html: "x".repeat(10 * 1024 * 1024 + 10) });
		await expectError(await postRender(huge), 413, "CONTENT_TOO_LARGE");
	});

	it("changes nothing and the service keeps answering", async () => {
		const before = await storedObjects();
		for (const [, body] of [...FIELD_CASES, ...URL_CASES]) expect((await postRender(body)).status).toBeLessThan(500);
		expect(await storedObjects()).toBe(before);
		expect((await api("/healthz")).status).toBe(200);
		expect((await postRender(ok)).status).toBe(202);
	});

	it.each([
		["../../etc/passwd", "_.._etc_passwd.pdf"],
		["..\\..\\windows\\win.ini", "_.._windows_win.ini.pdf"],
		["report\u0000\u001f\r\n.pdf", "report.pdf"],
		["/absolute/path.pdf", "_absolute_path.pdf"],
		["quarterly: Q1*?.pdf", "quarterly_ Q1__.pdf"],
		["..", null],
	])("filename %j is sanitized, not trusted", async (filename, expected) => {
		const job = await renderToEnd({ ...ok, filename });
		expect(job.status).toBe("succeeded");
		expect(job.document?.filename).toBe(expected ?? `${job.id}.pdf`);
		const res = await download(job.document!.url, { method: "HEAD" });
		expect(res.headers.get("content-disposition")).toContain(`filename="${expected ?? `${job.id}.pdf`}"`);
	});

	it("unknown routes answer JSON 404; unsupported methods 405 with Allow", async () => {
		await expectError(await api("/v1/nothing-here"), 404, "NOT_FOUND");
		const put = await api("/v1/renders", { method: "PUT" });
		expect(put.headers.get("allow")).toBe("GET, HEAD, POST");
		await expectError(put, 405, "METHOD_NOT_ALLOWED");
	});
});
