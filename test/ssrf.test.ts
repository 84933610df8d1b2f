// The address policy (src/security/url-policy.ts) against every spelling of a private address the
// WHATWG URL parser accepts: random addresses from each blocked range rendered as decimal, octal,
// hex, short forms, trailing dots, percent-encoded, full-width and IPv4-mapped IPv6; random public
// addresses in the same spellings stay allowed. Then named cases, page requests, and the real API.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkUrl, isAllowedPageRequest, isBlockedHost, isBlockedIPv4, isBlockedIPv6 } from "../src/security/url-policy";
import { api, postRender } from "./support/worker/api";
import { expectError } from "./support/worker/errors";

const STRICT = { allowPrivateNetwork: false };
const OPEN = { allowPrivateNetwork: true };
const RUNS = { numRuns: 200 };

// ---------------------------------------------------------------------------------------------
// IPv4: an independent reference of the blocked ranges, and spellings of one 32-bit address.

interface Cidr4 {
	cidr: string;
	base: number;
	size: number;
}

function cidr4(cidr: string): Cidr4 {
	const [address = "", bits = "32"] = cidr.split("/");
	const base = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
	return { cidr, base, size: 2 ** (32 - Number(bits)) };
}

const BLOCKED_V4 = [
	"0.0.0.0/8",
	"10.0.0.0/8",
	"100.64.0.0/10",
	"127.0.0.0/8",
	"169.254.0.0/16",
	"172.16.0.0/12",
	"192.0.0.0/24",
	"192.0.2.0/24",
	"192.88.99.0/24",
	"192.168.0.0/16",
	"198.18.0.0/15",
	"198.51.100.0/24",
	"203.0.113.0/24",
	"224.0.0.0/4",
	"240.0.0.0/4",
].map(cidr4);

const inBlockedV4 = (n: number) => BLOCKED_V4.some(({ base, size }) => n >= base && n < base + size);

const octets = (n: number): [number, number, number, number] => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const dotted = (n: number) => octets(n).join(".");

type Radix = "dec" | "oct" | "hex" | "HEX";
const RADICES: Radix[] = ["dec", "oct", "hex", "HEX"];

/** One number in the radix the WHATWG IPv4 parser reads from its prefix (0 = octal, 0x = hex). */
function num(value: number, radix: Radix): string {
	switch (radix) {
		case "dec":
			return value.toString(10);
		case "oct":
			return `0${value.toString(8)}`;
		case "hex":
			return `0x${value.toString(16)}`;
		case "HEX":
			return `0X${value.toString(16).toUpperCase()}`;
	}
}

const FULL_WIDTH_DIGIT = 0xff10; // "０"
const fullWidth = (text: string) => text.replace(/\d/g, (d) => String.fromCharCode(FULL_WIDTH_DIGIT + Number(d))).replace(/\./g, "\u3002");
const percentEncoded = (text: string) => [...text].map((ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, "0")}`).join("");

interface Spelling {
	name: string;
	host: string;
	/** The hostname the WHATWG parser must produce; undefined when the spelling stays a domain. */
	canonical: string | undefined;
}

/** IPv4 spellings the parser turns back into `a.b.c.d` (plus two that stay domains: ".." endings). */
function v4Spellings(n: number, mix: Radix[]): Spelling[] {
	const [a, b, c, d] = octets(n);
	const canonical = dotted(n);
	const r = (i: number): Radix => mix[i % mix.length] ?? "dec";
	const list: Array<[string, string]> = [
		["dotted decimal", canonical],
		["32-bit decimal", String(n)],
		["32-bit octal", num(n, "oct")],
		["32-bit octal, padded", `000${n.toString(8)}`],
		["32-bit hex", num(n, "hex")],
		["32-bit HEX", num(n, "HEX")],
		["dotted octal", [a, b, c, d].map((o) => num(o, "oct")).join(".")],
		["dotted hex", [a, b, c, d].map((o) => num(o, "hex")).join(".")],
		["dotted HEX", [a, b, c, d].map((o) => num(o, "HEX")).join(".")],
		["mixed per octet", [a, b, c, d].map((o, i) => num(o, r(i))).join(".")],
		["2-part a.b24", `${a}.${n & 0xffffff}`],
		["2-part mixed", `${num(a, r(0))}.${num(n & 0xffffff, r(1))}`],
		["3-part a.b.c16", `${a}.${b}.${(c << 8) | d}`],
		["3-part mixed", `${num(a, r(1))}.${num(b, r(2))}.${num((c << 8) | d, r(3))}`],
		["trailing dot", `${canonical}.`],
		["32-bit hex, trailing dot", `${num(n, "hex")}.`],
		["percent-encoded", percentEncoded(canonical)],
		["full-width digits and 。", fullWidth(canonical)],
	];
	return [
		...list.map(([name, host]) => ({ name, host, canonical })),
		{ name: "two trailing dots", host: `${canonical}..`, canonical: undefined },
		{ name: "dotted hex, two trailing dots", host: `${[a, b, c, d].map((o) => num(o, "hex")).join(".")}..`, canonical: undefined },
	];
}

const hex16 = (n: number) => n.toString(16);

/** IPv6 literals that embed the IPv4 address: always refused, whatever the address inside. */
function embeddedV4Spellings(n: number): Spelling[] {
	const [hi, lo] = [n >>> 16, n & 0xffff];
	const mapped = `[::ffff:${hex16(hi)}:${hex16(lo)}]`;
	return [
		{ name: "IPv4-mapped dotted", host: `[::ffff:${dotted(n)}]`, canonical: mapped },
		{ name: "IPv4-mapped hex", host: mapped, canonical: mapped },
		{ name: "IPv4-mapped HEX", host: mapped.toUpperCase(), canonical: mapped },
		{ name: "IPv4-mapped uncompressed", host: `[0:0:0:0:0:ffff:${dotted(n)}]`, canonical: mapped },
		{ name: "IPv4-translated", host: `[::ffff:0:${dotted(n)}]`, canonical: `[${compressed([0, 0, 0, 0, 0xffff, 0, hi, lo])}]` },
		{ name: "NAT64", host: `[64:ff9b::${dotted(n)}]`, canonical: `[${compressed([0x64, 0xff9b, 0, 0, 0, 0, hi, lo])}]` },
	];
}

/** Where the host sits in the URL must not matter. */
const URL_SHAPES = [
	(host: string) => `http://${host}/`,
	(host: string) => `https://${host}:8443/a/b?c=d#e`,
	(host: string) => `http://user:pass@${host}/`,
	(host: string) => `HTTP://${host}`,
];

const inRange = ({ base, size }: Cidr4) => fc.oneof(fc.constantFrom(base, base + size - 1), fc.integer({ min: base, max: base + size - 1 }));
const publicV4 = fc.integer({ min: 0, max: 0xffffffff }).filter((n) => !inBlockedV4(n));
const radixMix = fc.array(fc.constantFrom(...RADICES), { minLength: 4, maxLength: 4 });
const urlShape = fc.constantFrom(...URL_SHAPES);

function hostnameOf(url: string): string {
	return new URL(url).hostname;
}

describe("IPv4 in every spelling (property-based)", () => {
	it.each(BLOCKED_V4)("random addresses in $cidr are refused in every spelling", (range) => {
		fc.assert(
			fc.property(inRange(range), radixMix, urlShape, (n, mix, shape) => {
				for (const spelling of [...v4Spellings(n, mix), ...embeddedV4Spellings(n)]) {
					const url = shape(spelling.host);
					if (spelling.canonical !== undefined) expect(hostnameOf(url), spelling.name).toBe(spelling.canonical);
					expect(checkUrl(url, STRICT).ok, `${spelling.name}: ${url}`).toBe(false);
					expect(checkUrl(url, OPEN).ok, `${spelling.name} with allowPrivateNetwork: ${url}`).toBe(true);
				}
			}),
			RUNS,
		);
	});

	it("random public addresses are allowed in every IPv4 spelling", () => {
		fc.assert(
			fc.property(publicV4, radixMix, urlShape, (n, mix, shape) => {
				for (const spelling of v4Spellings(n, mix)) {
					const url = shape(spelling.host);
					if (spelling.canonical !== undefined) expect(hostnameOf(url), spelling.name).toBe(spelling.canonical);
					const verdict = checkUrl(url, STRICT);
					// Hex parts ending in ".." stay a name no resolver reads as an address: refused, whatever it spells.
					expect(verdict.ok, `${spelling.name}: ${url}`).toBe(spelling.name !== "dotted hex, two trailing dots");
					if (verdict.ok && spelling.canonical !== undefined) expect(verdict.url.hostname).toBe(dotted(n));
				}
			}),
			RUNS,
		);
	});

	it("public addresses inside IPv4-mapped, -translated and NAT64 IPv6 are still refused", () => {
		fc.assert(
			fc.property(publicV4, urlShape, (n, shape) => {
				for (const spelling of embeddedV4Spellings(n)) {
					expect(checkUrl(shape(spelling.host), STRICT).ok, `${spelling.name}: ${spelling.host}`).toBe(false);
				}
			}),
			RUNS,
		);
	});

	it("isBlockedIPv4 agrees with the reference ranges over the whole address space", () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
				expect(isBlockedIPv4(dotted(n)), dotted(n)).toBe(inBlockedV4(n));
			}),
			{ numRuns: 2000 },
		);
	});

	it("the addresses just outside each blocked range are judged on their own", () => {
		for (const { base, size } of BLOCKED_V4) {
			for (const n of [base - 1, base + size].filter((x) => x >= 0 && x <= 0xffffffff)) {
				expect(checkUrl(`http://${dotted(n)}/`, STRICT).ok, dotted(n)).toBe(!inBlockedV4(n));
				expect(checkUrl(`http://${n}/`, STRICT).ok, String(n)).toBe(!inBlockedV4(n));
			}
		}
	});

	it("isBlockedIPv4 fails closed on anything that is not canonical dotted decimal", () => {
		for (const text of ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-4", "0x7f.0.0.1", "a.b.c.d", "1.2.3.4 ", "8.8.8.0008"]) {
			expect(isBlockedIPv4(text), JSON.stringify(text)).toBe(true);
		}
	});
});

// ---------------------------------------------------------------------------------------------
// IPv6: eight 16-bit groups, spelled padded, plain, compressed, uppercase and with a dotted tail.

type Groups = number[];

/** RFC 5952 / WHATWG: the first longest run of two or more zero groups becomes "::". */
function compressed(groups: Groups): string {
	let bestStart = -1;
	let bestLength = 1;
	for (let i = 0; i < 8; ) {
		let j = i;
		while (j < 8 && groups[j] === 0) j++;
		if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
		i = j === i ? i + 1 : j;
	}
	const text = groups.map(hex16);
	if (bestStart < 0) return text.join(":");
	return `${text.slice(0, bestStart).join(":")}::${text.slice(bestStart + bestLength).join(":")}`;
}

function v6Spellings(groups: Groups): Spelling[] {
	const canonical = `[${compressed(groups)}]`;
	const [g6 = 0, g7 = 0] = groups.slice(6);
	const tail = `${g6 >>> 8}.${g6 & 0xff}.${g7 >>> 8}.${g7 & 0xff}`;
	return [
		{ name: "compressed", host: canonical, canonical },
		{ name: "uppercase", host: canonical.toUpperCase(), canonical },
		{ name: "plain eight groups", host: `[${groups.map(hex16).join(":")}]`, canonical },
		{ name: "zero-padded", host: `[${groups.map((g) => hex16(g).padStart(4, "0")).join(":")}]`, canonical },
		{ name: "dotted tail", host: `[${groups.slice(0, 6).map(hex16).join(":")}:${tail}]`, canonical },
	];
}

const group = fc.integer({ min: 0, max: 0xffff });
/** Random groups, with runs of zeros common enough to exercise "::". */
const anyGroup = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: group });
const groupsWith = (...head: Array<fc.Arbitrary<number>>) => fc.tuple(...head, ...Array.from({ length: 8 - head.length }, () => anyGroup));
const groupIn = (min: number, max: number) => fc.integer({ min, max });
const zero = fc.constant(0);

const BLOCKED_V6: Array<{ name: string; groups: fc.Arbitrary<Groups> }> = [
	{ name: "fc00::/7 unique local", groups: groupsWith(groupIn(0xfc00, 0xfdff)) },
	{ name: "fe80::/10 link-local", groups: groupsWith(groupIn(0xfe80, 0xfebf)) },
	{ name: "fec0::/10 site-local", groups: groupsWith(groupIn(0xfec0, 0xfeff)) },
	{ name: "ff00::/8 multicast", groups: groupsWith(groupIn(0xff00, 0xffff)) },
	{ name: "::1 loopback", groups: fc.constant([0, 0, 0, 0, 0, 0, 0, 1]) },
	{ name: ":: unspecified", groups: fc.constant([0, 0, 0, 0, 0, 0, 0, 0]) },
	{ name: "::/96 IPv4-compatible", groups: fc.tuple(zero, zero, zero, zero, zero, zero, group, group) },
	{ name: "::ffff:0:0/96 IPv4-mapped", groups: fc.tuple(zero, zero, zero, zero, zero, fc.constant(0xffff), group, group) },
	{ name: "64:ff9b::/96 NAT64", groups: fc.tuple(fc.constant(0x64), fc.constant(0xff9b), zero, zero, zero, zero, group, group) },
	{ name: "100::/64 discard-only", groups: fc.tuple(fc.constant(0x100), zero, zero, zero, group, group, group, group) },
	{ name: "2001::/23 IETF protocol assignments", groups: groupsWith(fc.constant(0x2001), groupIn(0, 0x1ff)) },
	{ name: "2001:db8::/32 documentation", groups: groupsWith(fc.constant(0x2001), fc.constant(0xdb8)) },
	{ name: "2002::/16 6to4", groups: groupsWith(fc.constant(0x2002)) },
	// IANA: outside 2000::/3 the IPv6 space is reserved by the IETF (or one of the ranges above).
	{ name: "outside 2000::/3 (reserved)", groups: groupsWith(fc.oneof(groupIn(0, 0x1fff), groupIn(0x4000, 0xffff))) },
];

const isGlobalUnicast = ([a = 0, b = 0]: Groups) => a >= 0x2000 && a <= 0x3fff && !(a === 0x2001 && (b < 0x200 || b === 0xdb8)) && a !== 0x2002;
const globalUnicast = groupsWith(groupIn(0x2000, 0x3fff)).filter(isGlobalUnicast);

describe("IPv6 (property-based)", () => {
	it.each(BLOCKED_V6)("random addresses in $name are refused in every spelling", ({ groups }) => {
		fc.assert(
			fc.property(groups, urlShape, (g, shape) => {
				for (const spelling of v6Spellings(g)) {
					const url = shape(spelling.host);
					expect(hostnameOf(url), spelling.name).toBe(spelling.canonical);
					expect(checkUrl(url, STRICT).ok, `${spelling.name}: ${url}`).toBe(false);
					expect(checkUrl(url, OPEN).ok, `${spelling.name} with allowPrivateNetwork: ${url}`).toBe(true);
				}
			}),
			RUNS,
		);
	});

	it("random global unicast addresses are allowed in every spelling", () => {
		fc.assert(
			fc.property(globalUnicast, urlShape, (g, shape) => {
				for (const spelling of v6Spellings(g)) {
					const url = shape(spelling.host);
					expect(hostnameOf(url), spelling.name).toBe(spelling.canonical);
					expect(checkUrl(url, STRICT).ok, `${spelling.name}: ${url}`).toBe(true);
				}
			}),
			RUNS,
		);
	});

	it("isBlockedIPv6 agrees with the reference over the whole address space", () => {
		fc.assert(
			fc.property(fc.tuple(...Array.from({ length: 8 }, () => anyGroup)), (g) => {
				expect(isBlockedIPv6(compressed(g)), compressed(g)).toBe(!isGlobalUnicast(g));
			}),
			{ numRuns: 2000 },
		);
	});

	it("isBlockedIPv6 fails closed on malformed literals", () => {
		for (const text of ["", "1:2:3", "1:2:3:4:5:6:7:8:9", "::1::", "gggg::1", "12345::1", "::ffff:1.2.3", "::ffff:256.0.0.1", "fe80::1%eth0"]) {
			expect(isBlockedIPv6(text), JSON.stringify(text)).toBe(true);
		}
	});
});

// ---------------------------------------------------------------------------------------------
// Named cases.

/** [name, url] the policy must refuse (allowPrivateNetwork: false). */
const REFUSED: Array<[string, string]> = [
	["loopback", "http://127.0.0.1/"],
	["loopback short form 127.1", "http://127.1/"],
	["loopback hex short 0x7f.1", "http://0x7f.1/"],
	["loopback dotted octal", "http://0177.0.0.1/"],
	["loopback decimal integer", "http://2130706433/"],
	["loopback octal integer", "http://017700000001/"],
	["loopback hex integer", "http://0x7f000001/"],
	["loopback with port", "http://127.0.0.1:8787/"],
	["loopback top of range", "http://127.255.255.254/"],
	["loopback percent-encoded", "http://%31%32%37.0.0.1/"],
	["loopback full-width", "http://１２７。０。０。１/"],
	["loopback, two trailing dots", "http://127.0.0.1../"],
	["loopback hex short, two trailing dots", "http://0x7f.1../"],
	["this-network 0.0.0.0", "http://0.0.0.0/"],
	["public hex short, two trailing dots (a name, not an address)", "http://0x8.0x8.0x8.0x8../"],
	["bare 0", "http://0/"],
	["bare 0x", "http://0x/"],
	["10/8", "http://10.0.0.1/"],
	["172.16/12 bottom", "http://172.16.0.1/"],
	["172.16/12 top", "http://172.31.255.255/"],
	["192.168/16", "http://192.168.1.1/"],
	["cloud metadata", "http://169.254.169.254/latest/meta-data/"],
	["cloud metadata decimal", "http://2852039166/"],
	["cloud metadata hex", "http://0xa9fea9fe/"],
	["cloud metadata dotted hex", "http://0xa9.0xfe.0xa9.0xfe/"],
	["cloud metadata 2-part", "http://169.16689662/"],
	["CGNAT bottom", "http://100.64.0.1/"],
	["CGNAT top", "http://100.127.255.255/"],
	["multicast", "http://224.0.0.1/"],
	["broadcast", "http://255.255.255.255/"],
	["benchmarking 198.18/15", "http://198.19.0.1/"],
	["documentation 192.0.2/24", "http://192.0.2.10/"],
	["IPv6 loopback", "http://[::1]/"],
	["IPv6 unspecified", "http://[::]/"],
	["IPv6 loopback uncompressed", "http://[0:0:0:0:0:0:0:1]/"],
	["IPv6 loopback dotted tail", "http://[::0.0.0.1]/"],
	["IPv4-mapped loopback dotted", "http://[::ffff:127.0.0.1]/"],
	["IPv4-mapped loopback hex", "http://[::ffff:7f00:1]/"],
	["IPv4-mapped metadata", "http://[::ffff:169.254.169.254]/"],
	["IPv4-compatible loopback", "http://[::127.0.0.1]/"],
	["unique local fd00::1", "http://[fd00::1]/"],
	["unique local fc00::1", "http://[fc00::1]/"],
	["link-local fe80::1", "http://[fe80::1]/"],
	["multicast ff02::1", "http://[ff02::1]/"],
	["NAT64 loopback", "http://[64:ff9b::7f00:1]/"],
	["NAT64 metadata dotted", "http://[64:ff9b::169.254.169.254]/"],
	["6to4 of loopback", "http://[2002:7f00:1::]/"],
	["Teredo", "http://[2001::1]/"],
	["IPv6 documentation", "http://[2001:db8::1]/"],
	["IPv6 reserved ::1:0:0", "http://[::1:0:0]/"],
	["IPv6 reserved 4000::1", "http://[4000::1]/"],
	["localhost", "http://localhost/"],
	["LOCALHOST", "http://LOCALHOST/"],
	["localhost.", "http://localhost./"],
	["localhost..", "http://localhost../"],
	["localhost with port", "http://localhost:8787/"],
	["localhost percent-encoded", "http://%6c%6f%63%61%6c%68%6f%73%74/"],
	["localhost full-width", "http://ｌｏｃａｌｈｏｓｔ/"],
	["foo.localhost", "http://foo.localhost/"],
	["localhost.localdomain", "http://localhost.localdomain/"],
	["printer.local", "http://printer.local/"],
	["metadata.google.internal", "http://metadata.google.internal/computeMetadata/v1/"],
	["a.b.internal.", "http://a.b.internal./"],
	["router.home.arpa", "http://router.home.arpa/"],
	["single label intranet", "http://intranet/"],
	["single label metadata", "http://metadata/"],
	["userinfo trick example.com@127.0.0.1", "http://example.com@127.0.0.1/"],
	["userinfo trick with password", "http://example.com:443@169.254.169.254/"],
	["backslashes as slashes", "http:\\\\127.0.0.1\\"],
	["no slashes", "http:127.0.0.1/"],
	["leading and trailing spaces", "  http://127.0.0.1/  "],
	["tab inside host", "http://127.0.\t0.1/"],
	["file:", "file:///etc/passwd"],
	["ftp:", "ftp://example.com/"],
	["gopher:", "gopher://example.com:70/_x"],
	["javascript:", "javascript:alert(1)"],
	["data:", "data:text/html,<p>x</p>"],
	["ws:", "ws://example.com/"],
	["wss:", "wss://example.com/"],
	["blob:", "blob:https://example.com/6b9c"],
	["about:blank", "about:blank"],
	["relative URL", "/etc/passwd"],
	["protocol-relative URL", "//example.com/"],
	["empty string", ""],
	["invalid IPv4 (octet out of range)", "http://256.0.0.1/"],
	["empty host", "http:///"],
];

/** [name, url] the policy must allow. */
const ALLOWED: Array<[string, string]> = [
	["https example.com", "https://example.com"],
	["http example.com with path", "http://example.com/a?b#c"],
	["public IPv4", "http://93.184.216.34/"],
	["below 172.16/12", "http://172.15.255.255/"],
	["above 172.16/12", "http://172.32.0.1/"],
	["below CGNAT", "http://100.63.255.255/"],
	["above CGNAT", "http://100.128.0.1/"],
	["above 10/8", "http://11.0.0.1/"],
	["below 224/4", "http://223.255.255.255/"],
	["public IPv4 as decimal", "http://134744072/"],
	["public IPv4 as hex short", "http://0x8.0x8.0x8.0x8/"],
	["public IPv4, two trailing dots", "http://8.8.8.8../"],
	["public IPv6", "https://[2606:4700::1111]/"],
	["public IPv6 dotted tail", "https://[2606:4700::1.1.1.1]/"],
	["userinfo pointing at a public host", "http://127.0.0.1@example.com/"],
	// WHATWG (and Chromium): a backslash ends the authority, so the host is example.com, not 127.0.0.1.
	["backslash before @", "http://example.com\\@127.0.0.1/"],
	["label containing localhost", "https://localhost.example.com/"],
	["label containing internal", "https://internal.example.com/"],
	["trailing dot FQDN", "https://example.com./"],
	["IDN", "https://bücher.example/"],
	["uppercase scheme and host", "HTTPS://EXAMPLE.COM/"],
];

describe("named cases", () => {
	const rows = (list: Array<[string, string]>) => list.map(([name, url]) => ({ name, url }));

	it.each(rows(REFUSED))("refuses $name", ({ url }) => {
		const verdict = checkUrl(url, STRICT);
		expect(verdict.ok).toBe(false);
		if (!verdict.ok) expect(verdict.reason.length).toBeGreaterThan(0);
	});

	it.each(rows(ALLOWED))("allows $name", ({ url }) => {
		const verdict = checkUrl(url, STRICT);
		expect(verdict.ok).toBe(true);
		if (verdict.ok) expect(verdict.url.href).toBe(new URL(url).href);
	});

	it.each(rows(REFUSED.filter(([, url]) => /^\s*http/i.test(url) && !/256\.0|http:\/\/\//.test(url))))("allowPrivateNetwork lets $name through", ({ url }) => {
		expect(checkUrl(url, OPEN).ok).toBe(true);
	});

	it.each(rows(REFUSED.filter(([, url]) => !/^\s*http/i.test(url) || /256\.0|http:\/\/\//.test(url))))("allowPrivateNetwork still refuses $name", ({ url }) => {
		expect(checkUrl(url, OPEN).ok).toBe(false);
	});

	it("names the canonical host in the reason", () => {
		const verdict = checkUrl("http://0x7f.1/", STRICT);
		expect(verdict).toEqual({ ok: false, reason: expect.stringContaining("127.0.0.1") });
	});

	it("requireHttps refuses plain http even to public hosts, and keeps the address rules", () => {
		expect(checkUrl("http://example.com/hook", { ...STRICT, requireHttps: true })).toEqual({ ok: false, reason: "only https is allowed" });
		expect(checkUrl("http://93.184.216.34/", { ...OPEN, requireHttps: true }).ok).toBe(false);
		expect(checkUrl("https://example.com/hook", { ...STRICT, requireHttps: true }).ok).toBe(true);
		expect(checkUrl("https://127.0.0.1/hook", { ...STRICT, requireHttps: true }).ok).toBe(false);
		expect(checkUrl("https://127.0.0.1/hook", { ...OPEN, requireHttps: true }).ok).toBe(true);
	});

	it("isBlockedHost takes hostnames as the URL parser gives them", () => {
		for (const host of ["127.0.0.1", "[::1]", "localhost", "LOCALHOST.", "x.LOCAL", "a.internal..", "intranet", "", "...", "0x7f.1..", "2130706433.."]) {
			expect(isBlockedHost(host), JSON.stringify(host)).toBe(true);
		}
		for (const host of [
			"example.com",
			"example.com.",
			"93.184.216.34",
			"[2606:4700::1111]",
			"xn--bcher-kva.example",
			"8.8.8.8..",
			"host-1.example",
			"0x.example",
		]) {
			expect(isBlockedHost(host), JSON.stringify(host)).toBe(false);
		}
	});
});

describe("isAllowedPageRequest", () => {
	it.each([
		["data: URL", "data:text/html,<p>x</p>"],
		["DATA: uppercase", "DATA:image/png;base64,iVBORw0KGgo="],
		["blob: URL", "blob:https://example.com/6b9c-4c1e"],
		["blob: of a private origin (in-browser memory)", "blob:http://127.0.0.1/6b9c"],
		["about:blank", "about:blank"],
		["about:srcdoc", "about:srcdoc"],
		["public https", "https://example.com/style.css"],
	])("allows %s with the policy on", (_name, url) => {
		expect(isAllowedPageRequest(url, STRICT)).toBe(true);
	});

	it.each([
		["loopback", "http://127.0.0.1/"],
		["loopback hex", "http://0x7f.1/x.png"],
		["metadata", "http://169.254.169.254/latest/meta-data/"],
		["IPv4-mapped", "http://[::ffff:7f00:1]/"],
		["localhost", "http://localhost:8787/"],
	])("refuses %s with the policy on and allows it with allowPrivateNetwork", (_name, url) => {
		expect(isAllowedPageRequest(url, STRICT)).toBe(false);
		expect(isAllowedPageRequest(url, OPEN)).toBe(true);
	});

	it.each([
		["file:", "file:///etc/passwd"],
		["javascript:", "javascript:alert(1)"],
		["ftp:", "ftp://example.com/"],
		["ws:", "ws://example.com/"],
		["not a URL", "::::"],
		["data: behind whitespace", " data:text/html,x"],
	])("refuses %s even with allowPrivateNetwork", (_name, url) => {
		expect(isAllowedPageRequest(url, STRICT)).toBe(false);
		expect(isAllowedPageRequest(url, OPEN)).toBe(false);
	});
});

// ---------------------------------------------------------------------------------------------
// Through the real API: the "worker" project runs with ALLOW_PRIVATE_NETWORK=false.

/** [name, host as written after the scheme] */
const API_HOSTS: Array<[string, string]> = [
	["loopback", "127.0.0.1"],
	["127.1", "127.1"],
	["0x7f.1", "0x7f.1"],
	["0177.0.0.1", "0177.0.0.1"],
	["2130706433", "2130706433"],
	["017700000001", "017700000001"],
	["0x7f000001", "0x7f000001"],
	["0X7F.0X0.0X0.0X1", "0X7F.0X0.0X0.0X1"],
	["127.0.0.1.", "127.0.0.1."],
	["127.0.0.1..", "127.0.0.1.."],
	["0x7f.1..", "0x7f.1.."],
	["percent-encoded loopback", "%31%32%37.0.0.1"],
	["full-width loopback", "１２７。０。０。１"],
	["0.0.0.0", "0.0.0.0"],
	["0", "0"],
	["10.0.0.1", "10.0.0.1"],
	["172.16.0.1", "172.16.0.1"],
	["172.31.255.255", "172.31.255.255"],
	["192.168.1.1", "192.168.1.1"],
	["169.254.169.254", "169.254.169.254"],
	["2852039166", "2852039166"],
	["0xa9fea9fe", "0xa9fea9fe"],
	["0251.0376.0251.0376", "0251.0376.0251.0376"],
	["100.64.0.1", "100.64.0.1"],
	["100.127.255.255", "100.127.255.255"],
	["224.0.0.1", "224.0.0.1"],
	["255.255.255.255", "255.255.255.255"],
	["[::1]", "[::1]"],
	["[::]", "[::]"],
	["[0:0:0:0:0:0:0:1]", "[0:0:0:0:0:0:0:1]"],
	["[::ffff:127.0.0.1]", "[::ffff:127.0.0.1]"],
	["[::ffff:7f00:1]", "[::ffff:7f00:1]"],
	["[::ffff:169.254.169.254]", "[::ffff:169.254.169.254]"],
	["[fd00::1]", "[fd00::1]"],
	["[fc00::1]", "[fc00::1]"],
	["[fe80::1]", "[fe80::1]"],
	["[ff02::1]", "[ff02::1]"],
	["[64:ff9b::7f00:1]", "[64:ff9b::7f00:1]"],
	["localhost", "localhost"],
	["LOCALHOST", "LOCALHOST"],
	["localhost.", "localhost."],
	["foo.localhost", "foo.localhost"],
	["printer.local", "printer.local"],
	["metadata.google.internal", "metadata.google.internal"],
	["a.b.internal.", "a.b.internal."],
	["intranet", "intranet"],
	["userinfo example.com@127.0.0.1", "example.com@127.0.0.1"],
];

async function expectUrlNotAllowed(res: Response, path: string): Promise<void> {
	const error = await expectError(res, 400, "URL_NOT_ALLOWED");
	const detail = error.details?.find((d) => d.path === path);
	expect(error.details?.map((d) => d.path)).toContain(path);
	// Refused for the address, not for anything else about the URL.
	expect(detail?.message).toMatch(/private, loopback or reserved/);
}

describe("POST /v1/renders refuses every blocked spelling", () => {
	const rows = API_HOSTS.map(([name, host]) => ({ name, host }));

	it.each(rows)("url http://$name/ → 400 URL_NOT_ALLOWED naming url", async ({ host }) => {
		await expectUrlNotAllowed(await postRender({ url: `http://${host}/` }), "url");
	});

	// https, so the refusal comes from the address rule and not from "webhooks must be https".
	it.each(rows)("webhook.url https://$name/hook → 400 URL_NOT_ALLOWED naming webhook.url", async ({ host }) => {
		await expectUrlNotAllowed(await postRender({ html: "<p>x</p>", webhook: { url: `https://${host}/hook` } }), "webhook.url");
	});

	it("non-http schemes are refused for url and webhook.url", async () => {
		for (const url of ["file:///etc/passwd", "ftp://example.com/", "gopher://example.com/", "javascript:alert(1)", "data:text/html,x", "ws://example.com/"]) {
			for (const [body, path] of [
				[{ url }, "url"],
				[{ html: "<p>x</p>", webhook: { url } }, "webhook.url"],
			] as const) {
				const error = await expectError(await postRender(body), 400, "URL_NOT_ALLOWED");
				expect(
					error.details?.map((d) => d.path),
					url,
				).toContain(path);
			}
		}
	});

	it("the service keeps answering afterwards", async () => {
		const health = await api("/healthz", { key: null });
		expect(health.status).toBe(200);
		expect(await health.json()).toEqual({ status: "ok" });
		const created = await postRender({ html: "<p>x</p>" });
		expect(created.status).toBe(202);
		expect(((await created.json()) as { id: string }).id).toEqual(expect.any(String));
	});
});
