// Bearer API keys. API_KEYS holds "tenantId:sha256hex(key)" pairs: no key is stored in plaintext,
// and every pair is compared in constant time so timing reveals nothing about which one matched.
import type { MiddlewareHandler } from "hono";
import { sha256Hex, timingSafeEqualText } from "../security/crypto";
import { ApiError } from "./errors";
import type { AppEnv } from "./types";

interface KeyEntry {
	tenantId: string;
	hash: string;
}

export function parseApiKeys(raw: string | undefined): KeyEntry[] {
	return (raw ?? "")
		.split(",")
		.map((pair) => pair.trim())
		.filter(Boolean)
		.flatMap((pair) => {
			const at = pair.lastIndexOf(":");
			const tenantId = pair.slice(0, at).trim();
			const hash = pair
				.slice(at + 1)
				.trim()
				.toLowerCase();
			return at > 0 && /^[0-9a-f]{64}$/.test(hash) ? [{ tenantId, hash }] : [];
		});
}

export async function tenantForKey(apiKeys: string | undefined, key: string): Promise<string | null> {
	const hash = await sha256Hex(key);
	let tenant: string | null = null;
	for (const entry of parseApiKeys(apiKeys)) {
		if (timingSafeEqualText(entry.hash, hash) && tenant === null) tenant = entry.tenantId;
	}
	return tenant;
}

const unauthorized = (message: string) => new ApiError(401, "UNAUTHORIZED", message, { headers: { "WWW-Authenticate": 'Bearer realm="edge-pdf"' } });

export const requireApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
	const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
	if (!match?.[1]) throw unauthorized("missing API key: send Authorization: Bearer <key>");
	const tenantId = await tenantForKey(c.env.API_KEYS, match[1]);
	if (!tenantId) throw unauthorized("invalid API key");
	c.set("tenantId", tenantId);
	await next();
};
