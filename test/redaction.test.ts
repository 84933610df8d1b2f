// Secrets stay out of logs and error messages: URLs lose query, userinfo and fragment wherever they
// appear in a log line or a recorded error, and R2's own error text never reaches a caller.
import { env } from "cloudflare:workers";
import { logsOfEachTest } from "./support/worker/logs";
import { describe, expect, it } from "vitest";
import { stashHtml } from "../src/api/create-render";
import { jobStub, newJobId } from "../src/jobs/ids";
import { log, logError } from "../src/log";
import { SharedBrowser } from "../src/render/browser";
import { runJob } from "../src/render/run-job";
import { redactText, redactUrl } from "../src/security/redact";
import { jobRecord, storedJob } from "./support/worker/jobs";

const TOKEN = "tok-5e0c9a1d";

const logs = logsOfEachTest();

/** An R2 bucket whose every call fails the way a platform error would, quoting a presigned URL. */
const brokenBucket = {
	async get() {
		throw new Error(`R2 internal error at https://acct.r2.cloudflarestorage.com/b/k?X-Amz-Signature=${TOKEN}`);
	},
	async put() {
		throw new Error(`R2 internal error at https://acct.r2.cloudflarestorage.com/b/k?X-Amz-Signature=${TOKEN}`);
	},
} as unknown as R2Bucket;

describe("redactUrl / redactText", () => {
	it.each([
		[`https://host.test/q?access_token=${TOKEN}`, "https://host.test/q?[redacted]"],
		[`https://user:${TOKEN}@host.test/a/b`, "https://host.test/a/b?[redacted]"],
		[`http://host.test/p#${TOKEN}`, "http://host.test/p?[redacted]"],
		["https://host.test/plain/path", "https://host.test/plain/path"],
		[`https://bad host/${"x"}?k=${TOKEN}`, "https://bad host/x?[redacted]"],
	])("%s → %s", (raw, expected) => {
		expect(redactUrl(raw)).toBe(expected);
	});

	it("finds URLs inside messages, keeping the words around them", () => {
		const message = `net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/q?access_token=${TOKEN}. Then "wss://a:${TOKEN}@x.test/s" failed`;
		const redacted = redactText(message);
		expect(redacted).not.toContain(TOKEN);
		expect(redacted).toBe('net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/q?[redacted]. Then "wss://x.test/s?[redacted]" failed');
	});
});

describe("logs", () => {
	it("every field of a log line is redacted, at any depth", () => {
		log({ msg: "x", url: `https://h.test/?sig=${TOKEN}`, nested: { list: [`see https://h.test/a?k=${TOKEN}`] } });
		logError({ msg: "y", error: new Error(`failed: https://u:${TOKEN}@h.test/`).message });
		expect(logs().lines).toHaveLength(2);
		for (const line of logs().lines) expect(line).not.toContain(TOKEN);
		expect(JSON.parse(logs().lines[0]!)).toEqual({
			level: "info",
			msg: "x",
			url: "https://h.test/?[redacted]",
			nested: { list: ["see https://h.test/a?[redacted]"] },
		});
	});

	it("a field named like a password loses its whole value, at any depth (the encryption passwords, basic auth's)", () => {
		log({ msg: "x", encrypt: { userPassword: TOKEN, ownerPassword: TOKEN, permissions: { copy: false } }, basicAuth: [{ password: TOKEN }] });
		expect(logs().lines[0]).not.toContain(TOKEN);
		expect(JSON.parse(logs().lines[0]!)).toEqual({
			level: "info",
			msg: "x",
			encrypt: { userPassword: "[redacted]", ownerPassword: "[redacted]", permissions: { copy: false } },
			basicAuth: [{ password: "[redacted]" }],
		});
	});
});

describe("storage failures", () => {
	it("the HTML stash says what failed; R2's text goes only to the log, redacted", async () => {
		const record = { ...jobRecord(), sourceKey: `sources/acme/${newJobId()}.html` };
		const failure = await stashHtml({ ...env, DOCUMENTS: brokenBucket }, record, "<p>x</p>").catch((err: unknown) => err);
		expect(failure).toMatchObject({ status: 503, code: "STORAGE_FAILED", message: "could not store the HTML source; retry later" });
		expect(logs().lines.some((l) => l.includes("R2 internal error"))).toBe(true);
		for (const line of logs().lines) expect(line).not.toContain(TOKEN);
	});

	it("a render whose HTML source cannot be read records STORAGE_FAILED without R2's text", async () => {
		const { job } = await storedJob({}, "<p>source</p>");
		const result = await runJob({ ...env, DOCUMENTS: brokenBucket }, job.id, new SharedBrowser(env), "fast");
		expect(result).toEqual({ kind: "retry", delaySeconds: 2, error: { code: "STORAGE_FAILED", message: "could not read the HTML source" } });
		for (const line of logs().lines) expect(line).not.toContain(TOKEN);
		expect(logs().lines.some((l) => l.includes("html source read failed") && l.includes("?[redacted]"))).toBe(true);
		await jobStub(env, job.id).cancel("acme");
	});
});
