// One address policy for every URL we or the browser would fetch: the render `url`, `webhook.url`,
// and each request a page makes while rendering. The WHATWG URL parser first canonicalises every
// IPv4 spelling (decimal 2130706433, octal 0177.0.0.1, hex 0x7f.1, short 127.1) to dotted form and
// IPv6 to compressed hex, so the range checks below see one spelling only.

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

export interface UrlPolicy {
	/** Lifts the private-address rules (local development and tests only). */
	allowPrivateNetwork: boolean;
	/** Only https is accepted (webhooks in production). */
	requireHttps?: boolean;
}

export const BLOCKED_SUFFIXES = [".localhost", ".local", ".internal", ".localdomain", ".home.arpa"];

/** IPv4 ranges that are not the public internet: [network, prefix length]. */
export const BLOCKED_V4: Array<[string, number]> = [
	["0.0.0.0", 8], // "this network", incl. 0.0.0.0
	["10.0.0.0", 8],
	["100.64.0.0", 10], // CGNAT
	["127.0.0.0", 8],
	["169.254.0.0", 16], // link-local, cloud metadata 169.254.169.254
	["172.16.0.0", 12],
	["192.0.0.0", 24],
	["192.0.2.0", 24],
	["192.88.99.0", 24],
	["192.168.0.0", 16],
	["198.18.0.0", 15],
	["198.51.100.0", 24],
	["203.0.113.0", 24],
	["224.0.0.0", 4], // multicast
	["240.0.0.0", 4], // reserved, incl. broadcast
];

/** An IPv4 address in dotted form as a number, or null when it is not one. */
export function v4ToInt(address: string): number | null {
	const parts = address.split(".");
	if (parts.length !== 4) return null;
	let n = 0;
	for (const part of parts) {
		if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
		n = n * 256 + Number(part);
	}
	return n;
}

function inV4Range(n: number, [network, bits]: [string, number]): boolean {
	const base = v4ToInt(network) ?? 0;
	const size = 2 ** (32 - bits);
	return n >= base && n < base + size;
}

export function isBlockedIPv4(address: string): boolean {
	const n = v4ToInt(address);
	return n === null || BLOCKED_V4.some((range) => inV4Range(n, range));
}

/**
 * Global unicast, 2000::/3, is the only public IPv6 space: everything outside it is refused (::,
 * ::1, IPv4-mapped, -compatible and -translated, NAT64 64:ff9b::/96, discard-only 100::/64, unique
 * local fc00::/7, link- and site-local, multicast, the IETF-reserved rest). Inside it, these too.
 */
export const GLOBAL_UNICAST_V6: [string, number] = ["2000::", 3];
export const BLOCKED_GLOBAL_V6: Array<[string, number]> = [
	["2001::", 23], // IETF protocol assignments, incl. Teredo
	["2001:db8::", 32], // documentation
	["2002::", 16], // 6to4, embeds an IPv4 address
];

/** A canonical IPv6 literal (no brackets; "::" and a dotted IPv4 tail allowed) as a number, or null. */
export function v6ToBigInt(address: string): bigint | null {
	let text = address.toLowerCase();
	const dotted = text.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
	if (dotted) {
		const n = v4ToInt(dotted[2] ?? "");
		if (n === null) return null;
		text = `${dotted[1]}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
	}
	const halves = text.split("::");
	if (halves.length > 2) return null;
	const head = halves[0] ? halves[0].split(":") : [];
	const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
	const missing = 8 - head.length - tail.length;
	if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
	const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
	if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
	return groups.reduce((value, g) => (value << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function inV6Range(value: bigint, [network, bits]: [string, number]): boolean {
	const shift = BigInt(128 - bits);
	return value >> shift === (v6ToBigInt(network) ?? -1n) >> shift;
}

export function isBlockedIPv6(address: string): boolean {
	const value = v6ToBigInt(address);
	if (value === null) return true;
	return !inV6Range(value, GLOBAL_UNICAST_V6) || BLOCKED_GLOBAL_V6.some((range) => inV6Range(value, range));
}

/** Whether a URL's host (as the WHATWG parser gives it) names a private or special address. */
export function isBlockedHost(hostname: string): boolean {
	const host = hostname.toLowerCase().replace(/\.+$/, "");
	if (host === "") return true;
	if (host.startsWith("[") && host.endsWith("]")) return isBlockedIPv6(host.slice(1, -1));
	// A host ending in a number (digits or 0x hex) is an IPv4 address to the URL parser and to
	// inet_aton; one the parser left as a name ("0x7f.1..", extra dots) is refused, not resolved.
	if (/(^|\.)(\d+|0x[\da-f]*)$/.test(host)) return isBlockedIPv4(host);
	if (host === "localhost" || BLOCKED_SUFFIXES.some((suffix) => host.endsWith(suffix))) return true;
	// A single label ("intranet", "metadata") only resolves on a private resolver.
	return !host.includes(".");
}

export function checkUrl(raw: string, policy: UrlPolicy): UrlVerdict {
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		return { ok: false, reason: "not a valid absolute URL" };
	}
	if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: `scheme ${url.protocol} is not allowed` };
	if (policy.requireHttps && url.protocol !== "https:") return { ok: false, reason: "only https is allowed" };
	if (!policy.allowPrivateNetwork && isBlockedHost(url.hostname)) {
		return { ok: false, reason: `host ${url.hostname} is a private, loopback or reserved address` };
	}
	return { ok: true, url };
}

/** For the page's own requests: data:, blob: and about: stay in the browser; everything else is checked. */
export function isAllowedPageRequest(raw: string, policy: UrlPolicy): boolean {
	if (/^(data|blob|about):/i.test(raw)) return true;
	return checkUrl(raw, policy).ok;
}
