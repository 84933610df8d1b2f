#!/usr/bin/env node
// `npm run key -- <tenantId>`: prints a new random API key and the `tenantId:sha256hex` pair for API_KEYS.
import { createHash, randomBytes } from "node:crypto";

const tenant = process.argv[2];
if (!tenant || !/^[A-Za-z0-9_-]{1,64}$/.test(tenant)) {
	console.error("usage: npm run key -- <tenantId>   (letters, digits, _ and -)");
	process.exit(2);
}
const key = `epk_${randomBytes(32).toString("base64url")}`;
const hash = createHash("sha256").update(key).digest("hex");
console.log(`API key (give to the tenant; it is not stored anywhere): ${key}`);
console.log(`Add to the API_KEYS secret (comma-separated):         ${tenant}:${hash}`);
