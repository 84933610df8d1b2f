// Downloads per RFC 9110: byte ranges (one served, several or other units ignored, malformed or
// unsatisfiable 416), If-Match 412, If-None-Match 304, If-Range, HEAD answering as GET; links
// accept `expires` only as signed; filenames lose bidi controls.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { sanitizeFilename } from "../src/storage/documents";
import { filePath, signedUrl } from "../src/storage/signed-links";
import type { Job } from "../src/schemas/job";
import { BASE, download, renderToEnd } from "./support/worker/api";

let job: Job;
let full: Uint8Array;
let size: number;
let etag: string;

beforeAll(async () => {
	job = await renderToEnd({ html: "<h1>Ranges</h1><p>Some bytes to slice.</p>", filename: "report\u202Efdp\u2066.exe\u200F\u061C" });
	expect(job.status).toBe("succeeded");
	const res = await download(job.document!.url);
	full = new Uint8Array(await res.arrayBuffer());
	size = full.byteLength;
	etag = res.headers.get("etag")!;
	expect(size).toBe(job.document!.sizeBytes);
});

const get = (headers: Record<string, string>, method = "GET") => download(job.document!.url, { method, headers });

async function bytes(res: Response): Promise<Uint8Array> {
	return new Uint8Array(await res.arrayBuffer());
}

describe("Range", () => {
	it.each([
		["an unsatisfiable start", "bytes=99999999-"],
		["a start past the end", () => `bytes=${size}-`],
		["last before first", "bytes=5-2"],
		["a zero-length suffix", "bytes=-0"],
		["no positions", "bytes=-"],
		["garbage", "bytes=abc"],
		["an empty set", "bytes="],
		["a unit without a set", "bytes"],
	])("%s → 416 with Content-Range: bytes */size", async (_name, range) => {
		const res = await get({ range: typeof range === "string" ? range : range() });
		expect(res.status).toBe(416);
		expect(res.headers.get("content-range")).toBe(`bytes */${size}`);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe("RANGE_NOT_SATISFIABLE");
	});

	it.each([
		["another unit", "items=0-5"],
		["several ranges", "bytes=0-1,4-5"],
		["several ranges, one unsatisfiable", "bytes=0-1, 99999999-"],
	])("%s → 200 with the whole file", async (_name, range) => {
		const res = await get({ range });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-range")).toBeNull();
		expect(res.headers.get("content-length")).toBe(String(size));
		expect(await bytes(res)).toEqual(full);
	});

	it.each([
		["first-last", "bytes=0-4", 0, 4],
		["first-", "bytes=10-", 10, -1],
		["a suffix", "bytes=-7", -7, -1],
		["a suffix longer than the file", "bytes=-99999999", 0, -1],
		["last past the end", "bytes=3-99999999", 3, -1],
		["upper-case unit and spaces", "Bytes= 2-5 ", 2, 5],
	])("%s → 206 with exactly those bytes", async (_name, range, from, to) => {
		const start = from < 0 ? size + from : from;
		const end = to < 0 ? size - 1 : to;
		const res = await get({ range });
		expect(res.status).toBe(206);
		expect(res.headers.get("content-range")).toBe(`bytes ${start}-${end}/${size}`);
		expect(res.headers.get("content-length")).toBe(String(end - start + 1));
		expect(await bytes(res)).toEqual(full.slice(start, end + 1));
	});
});

describe("preconditions", () => {
	it("If-Match that does not match → 412; a match or * → served", async () => {
		const failed = await get({ "if-match": '"not-the-etag"' });
		expect(failed.status).toBe(412);
		expect(((await failed.json()) as { error: { code: string } }).error.code).toBe("PRECONDITION_FAILED");
		expect((await get({ "if-match": `W/${etag}` })).status).toBe(412); // weak tags never match If-Match
		expect((await get({ "if-match": `"x", ${etag}` })).status).toBe(200);
		expect((await get({ "if-match": "*" })).status).toBe(200);
		const ranged = await get({ "if-match": etag, range: "bytes=0-4" });
		expect(ranged.status).toBe(206);
		expect(new TextDecoder().decode(await bytes(ranged))).toBe("%PDF-");
	});

	it("If-None-Match that matches → 304 without a body; otherwise 200", async () => {
		for (const value of [etag, `W/${etag}`, `"x", ${etag}`, "*"]) {
			const res = await get({ "if-none-match": value });
			expect(res.status, value).toBe(304);
			expect(res.headers.get("etag")).toBe(etag);
			expect((await bytes(res)).byteLength).toBe(0);
		}
		expect((await get({ "if-none-match": '"other"' })).status).toBe(200);
	});

	it("If-Match is checked before If-None-Match and Range", async () => {
		expect((await get({ "if-match": '"nope"', "if-none-match": etag, range: "bytes=0-1" })).status).toBe(412);
		expect((await get({ "if-none-match": etag, range: "bytes=99999999-" })).status).toBe(304);
	});

	it("If-Range: the range only for the current ETag, else the whole file", async () => {
		expect((await get({ "if-range": etag, range: "bytes=0-4" })).status).toBe(206);
		const stale = await get({ "if-range": '"stale"', range: "bytes=0-4" });
		expect(stale.status).toBe(200);
		expect(await bytes(stale)).toEqual(full);
	});
});

describe("HEAD", () => {
	const cases: Array<Record<string, string>> = [
		{},
		{ range: "bytes=0-4" },
		{ range: "bytes=-7" },
		{ range: "bytes=99999999-" },
		{ range: "items=0-5" },
		{ range: "bytes=0-1,4-5" },
		{ "if-match": '"nope"' },
		{ "if-none-match": "*" },
	];
	it.each(cases)("answers as GET, without a body: %o", async (headers) => {
		const [getRes, headRes] = await Promise.all([get(headers), get(headers, "HEAD")]);
		expect(headRes.status).toBe(getRes.status);
		for (const name of ["content-type", "content-range", "etag", "accept-ranges", "content-disposition", "cache-control"]) {
			expect(headRes.headers.get(name), name).toBe(getRes.headers.get(name));
		}
		if (getRes.status === 200 || getRes.status === 206) expect(headRes.headers.get("content-length")).toBe(getRes.headers.get("content-length"));
		expect((await bytes(headRes)).byteLength).toBe(0);
		await getRes.arrayBuffer();
	});
});

describe("link hardening", () => {
	it("accepts expires only in the canonical decimal form that was signed", async () => {
		// A round expiry, so that exponent and padded spellings of the same number exist.
		const expires = Math.ceil(Date.now() / 1_000_000 + 10) * 1000;
		const url = new URL(await signedUrl(env, BASE, filePath(job.id), expires));
		expect((await download(url.toString())).status).toBe(200);
		const spellings = [`0${expires}`, `+${expires}`, `${expires / 1000}e3`, `${expires}.0`, ` ${expires}`, `${expires} `, `0x${expires.toString(16)}`];
		for (const spelling of spellings) {
			const forged = new URL(url);
			forged.searchParams.set("expires", spelling);
			expect((await download(forged.toString())).status, spelling).toBe(403);
		}
		const twice = new URL(url);
		twice.searchParams.append("expires", String(expires));
		// A repeated parameter is refused (by the query schema, 400, before the signature check's 403).
		expect([400, 403]).toContain((await download(twice.toString())).status);
	});

	it("filenames lose bidi controls besides separators and control characters", async () => {
		expect(job.document!.filename).toBe("reportfdp.exe.pdf");
		const disposition = (await get({}, "HEAD")).headers.get("content-disposition")!;
		expect(disposition).not.toMatch(/%E2%80%AE|%E2%81%A6|%E2%80%8F|%D8%9C/i);
		const bidi = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C";
		expect(sanitizeFilename(`a${bidi}b/c\\d\u0007.pdf`, "ren_x")).toBe("ab_c_d.pdf");
		expect(sanitizeFilename(bidi, "ren_x")).toBe("ren_x.pdf");
	});
});
