// URL patterns for Network.setBlockedURLs, which Chrome checks in the renderer before a request is
// made. Request interception (Fetch) never sees some renderer requests (measured: <link
// rel=prefetch> in Chromium 156), so this is the address policy's second layer for them. The
// patterns only approximate the policy: Chrome matches them as unanchored wildcards (each part in
// order anywhere in the URL), so each names a private address right after "://" or "@", or a
// private name's suffix before "/" or ":"; single-label hosts cannot be told apart this way.
import { BLOCKED_SUFFIXES, BLOCKED_V4 } from "../security/url-policy";

function octets(network: string): number[] {
	return network.split(".").map(Number);
}

/** Dotted prefixes ("10.", "100.64.", …) covering an IPv4 range at whole-octet granularity. */
function v4Prefixes([network, bits]: [string, number]): string[] {
	const parts = octets(network);
	const whole = Math.ceil(bits / 8);
	const spread = 2 ** (whole * 8 - bits);
	const fixed = parts.slice(0, whole - 1);
	const last = parts[whole - 1] ?? 0;
	return Array.from({ length: spread }, (_, i) => `${[...fixed, last + i].join(".")}.`);
}

/** IPv6 literals outside 2000::/3, plus the special ranges inside it the policy refuses. */
const V6_PREFIXES = ["[0", "[1", "[4", "[5", "[6", "[7", "[8", "[9", "[a", "[b", "[c", "[d", "[e", "[f", "[:", "[2001:0:", "[2001:db8:", "[2002:"];

/**
 * 0.0.0.0/8 only as "0.0.": Linux connects 0.0.0.0 to the host itself, while "0." alone would
 * also refuse public names such as 0.gravatar.com.
 */
function v4Patterns(range: [string, number]): string[] {
	return range[0] === "0.0.0.0" ? ["0.0."] : v4Prefixes(range);
}

export function rendererBlocklist(): string[] {
	const hosts = [...BLOCKED_V4.flatMap(v4Patterns), ...V6_PREFIXES, "localhost/", "localhost:"];
	const names = [".localhost", ...BLOCKED_SUFFIXES].flatMap((suffix) => [`${suffix}/`, `${suffix}:`]);
	return [...hosts.flatMap((h) => [`*://${h}*`, `*@${h}*`]), ...names.map((n) => `*${n}*`)];
}
