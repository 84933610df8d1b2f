// Node side: runs in the vitest main process, started by global-setup.ts.
// A small S3-protocol server on 127.0.0.1 for the delivery tests (PUT and DELETE of objects, in
// memory) that VERIFIES every SigV4 signature, header-signed or presigned, by signing the request
// again with aws4fetch and comparing, and checks a signed payload hash against the body. s3rver
// speaks the protocol but accepts any signature, which would let a signing bug pass.
// Buckets named "flaky-…" answer 503 to their first two PUTs; "forbidden-…" always answer 403;
// "hang-…" never answer (the request is logged with status 0 and held until the client gives up).
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { AwsV4Signer } from "aws4fetch";
import { S3_TEST_CREDENTIALS } from "../common/s3-account";
import { type Listening, listenLocal } from "./listen";
import type { S3Request, StoredObject } from "../common/servers";
const SECRETS = new Map<string, string>([[S3_TEST_CREDENTIALS.accessKeyId, S3_TEST_CREDENTIALS.secretAccessKey]]);

const objects = new Map<string, Map<string, StoredObject>>();
const requests = new Map<string, S3Request[]>();

type Verdict = { ok: true; auth: "header" | "query" } | { ok: false; status: number; code: string };

function signedHeaders(req: IncomingMessage, names: string[]): Record<string, string> {
	return Object.fromEntries(names.filter((n) => n !== "host").map((n) => [n, String(req.headers[n] ?? "")]));
}

/** Re-signs the request with aws4fetch from what the client claims it signed, and compares. */
async function verifySignature(req: IncomingMessage, url: URL): Promise<Verdict> {
	const query = url.searchParams.has("X-Amz-Signature");
	const authorization = req.headers.authorization ?? "";
	if (!query && !authorization) return { ok: false, status: 403, code: "AccessDenied" };
	const parts = query
		? {
				credential: url.searchParams.get("X-Amz-Credential") ?? "",
				signed: url.searchParams.get("X-Amz-SignedHeaders") ?? "",
				signature: url.searchParams.get("X-Amz-Signature") ?? "",
			}
		: {
				credential: /Credential=([^,]+)/.exec(authorization)?.[1] ?? "",
				signed: /SignedHeaders=([^,]+)/.exec(authorization)?.[1] ?? "",
				signature: /Signature=([0-9a-f]+)/.exec(authorization)?.[1] ?? "",
			};
	const [accessKeyId = "", , region = "", service = ""] = parts.credential.split("/");
	const secretAccessKey = SECRETS.get(accessKeyId);
	if (!secretAccessKey) return { ok: false, status: 403, code: "InvalidAccessKeyId" };
	const datetime = query ? (url.searchParams.get("X-Amz-Date") ?? "") : String(req.headers["x-amz-date"] ?? "");
	const unsigned = new URL(url);
	unsigned.searchParams.delete("X-Amz-Signature");
	const signer = new AwsV4Signer({
		method: req.method,
		url: unsigned.toString(),
		headers: signedHeaders(req, parts.signed.split(";")),
		accessKeyId,
		secretAccessKey,
		region,
		service,
		datetime,
		signQuery: query,
	});
	if (signer.signedHeaders !== parts.signed || (await signer.signature()) !== parts.signature) return { ok: false, status: 403, code: "SignatureDoesNotMatch" };
	if (query) {
		const at = Date.UTC(
			+datetime.slice(0, 4),
			+datetime.slice(4, 6) - 1,
			+datetime.slice(6, 8),
			+datetime.slice(9, 11),
			+datetime.slice(11, 13),
			+datetime.slice(13, 15),
		);
		if (at + Number(url.searchParams.get("X-Amz-Expires")) * 1000 < Date.now()) return { ok: false, status: 403, code: "AccessDenied" };
	}
	return { ok: true, auth: query ? "query" : "header" };
}

function answer(res: ServerResponse, status: number, code?: string, headers: Record<string, string> = {}): void {
	if (!code) {
		res.writeHead(status, headers);
		res.end();
		return;
	}
	res.writeHead(status, { "content-type": "application/xml" });
	res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
}

async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
	const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
	const [, bucket = "", ...rest] = url.pathname.split("/");
	if (bucket === "__s3") return control(res, rest);
	const key = decodeURIComponent(rest.join("/"));
	const log = requests.get(bucket) ?? [];
	requests.set(bucket, log);
	const record = (status: number, code: string | null, auth: S3Request["auth"]) => log.push({ method: req.method ?? "", key, status, code, auth });

	if (bucket.startsWith("hang-")) return void record(0, null, "none");
	const verdict = await verifySignature(req, url);
	if (!verdict.ok) {
		record(verdict.status, verdict.code, "none");
		return answer(res, verdict.status, verdict.code);
	}
	const sha256 = createHash("sha256").update(body).digest("hex");
	const declared = String(req.headers["x-amz-content-sha256"] ?? "");
	if (/^[0-9a-f]{64}$/.test(declared) && declared !== sha256) {
		record(400, "XAmzContentSHA256Mismatch", verdict.auth);
		return answer(res, 400, "XAmzContentSHA256Mismatch");
	}
	const puts = log.filter((r) => r.method === "PUT").length;
	if (req.method === "PUT" && bucket.startsWith("flaky-") && puts < 2) {
		record(503, "SlowDown", verdict.auth);
		return answer(res, 503, "SlowDown");
	}
	if (bucket.startsWith("forbidden-")) {
		record(403, "AccessDenied", verdict.auth);
		return answer(res, 403, "AccessDenied");
	}
	const store = objects.get(bucket) ?? new Map<string, StoredObject>();
	objects.set(bucket, store);
	if (req.method === "PUT") {
		const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
		store.set(key, {
			key,
			sha256,
			size: body.byteLength,
			contentType: req.headers["content-type"] ?? null,
			contentLength: req.headers["content-length"] ?? null,
			headers,
		});
		record(200, null, verdict.auth);
		return answer(res, 200, undefined, { etag: `"${createHash("md5").update(body).digest("hex")}"` });
	}
	if (req.method === "DELETE") {
		store.delete(key);
		record(204, null, verdict.auth);
		return answer(res, 204);
	}
	record(405, "MethodNotAllowed", verdict.auth);
	return answer(res, 405, "MethodNotAllowed");
}

/** Test-side reads: /__s3/objects/<bucket>, /__s3/requests/<bucket>. */
function control(res: ServerResponse, [what = "", bucket = ""]: string[]): void {
	const data = what === "objects" ? [...(objects.get(bucket)?.values() ?? [])] : (requests.get(bucket) ?? []);
	res.writeHead(200, { "content-type": "application/json" });
	res.end(JSON.stringify(data));
}

export async function startS3Server(): Promise<Listening> {
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on("data", (chunk: Buffer) => chunks.push(chunk));
		req.on("end", () => {
			handle(req, res, Buffer.concat(chunks)).catch((err: unknown) => {
				res.writeHead(500);
				res.end(String(err));
			});
		});
	});
	return listenLocal(server);
}
