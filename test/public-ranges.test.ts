// The egress sink's bypass list spells the address policy a second way (public CIDR blocks and
// name patterns for Chrome). These hold that spelling to the policy itself.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contextOptions, SINK_PROXY } from "../src/render/egress-sink";
import { publicV4Cidrs, publicV6Cidrs, v4Text, v6Text } from "../src/security/public-ranges";
import { BLOCKED_V4, checkUrl, isBlockedIPv4, isBlockedIPv6, v4ToInt, v6ToBigInt } from "../src/security/url-policy";

const production = { allowPrivateNetwork: false };

/** Our parsers, for addresses the test itself spells. */
const v4Value = (text: string) => BigInt(v4ToInt(text) ?? Number.NaN);
const v6Value = (text: string) => v6ToBigInt(text) ?? -1n;

function blocks(cidrs: string[], parse: (text: string) => bigint, bits: number): Array<[bigint, bigint]> {
	return cidrs.map((cidr) => {
		const [address = "", prefix = ""] = cidr.split("/");
		return [parse(address), parse(address) + (1n << BigInt(bits - Number(prefix)))];
	});
}
const inside = (value: bigint, ranges: Array<[bigint, bigint]>) => ranges.some(([first, end]) => value >= first && value < end);

/** Uniform (no bias towards small values or edges: the edges are listed), fixed seed: a failure names the same addresses on every run. */
function sample<T>(arbitrary: fc.Arbitrary<T>, count: number, seed: number): T[] {
	return fc.sample(fc.noBias(arbitrary), { seed, numRuns: count });
}
const below = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });

describe("public address blocks for the egress sink's bypass list", () => {
	it("IPv4: an address bypasses the sink exactly when the policy allows it (every range edge and 20,000 random addresses)", () => {
		const ranges = blocks(publicV4Cidrs(), v4Value, 32);
		const edges = BLOCKED_V4.flatMap(([network, prefix]) => {
			const first = v4Value(network);
			const end = first + (1n << BigInt(32 - prefix));
			return [first - 1n, first, end - 1n, end].filter((n) => n >= 0n && n < 1n << 32n);
		});
		const random20k = sample(below(32), 20_000, 7);
		// The samples reach the whole space: private ranges high and low, odd and even.
		expect(random20k.filter((n) => inside(n, blocks(["192.168.0.0/16", "224.0.0.0/3", "10.0.0.0/8"], v4Value, 32))).length).toBeGreaterThan(500);
		expect(random20k.some((n) => n % 2n === 0n)).toBe(true);
		const samples = [...edges, ...random20k];
		const wrong = samples.filter((n) => inside(n, ranges) === isBlockedIPv4(v4Text(n))).map(v4Text);
		expect(wrong).toEqual([]);
		expect(inside(v4Value("8.8.8.8"), ranges)).toBe(true);
		expect(inside(v4Value("169.254.169.254"), ranges)).toBe(false);
	});

	it("IPv6: an address bypasses the sink exactly when the policy allows it (range edges and 20,000 random addresses)", () => {
		const ranges = blocks(publicV6Cidrs(), v6Value, 128);
		const edges = [
			"2000::",
			"2001:0:0:0:0:0:0:0",
			"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
			"2001:200::",
			"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
			"2001:db8::",
			"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
			"2001:db9::",
			"2002::",
			"2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
			"2003::",
			"3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
			"4000::",
			"1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		];
		// Half the random samples inside 2000::/3 ([2^125, 2^126)), where the public blocks are.
		const global = fc.bigInt({ min: 1n << 125n, max: (1n << 126n) - 1n });
		const samples = [...edges.map(v6Value), ...sample(below(128), 10_000, 7), ...sample(global, 10_000, 8)];
		const wrong = samples.filter((n) => inside(n, ranges) === isBlockedIPv6(v6Text(n))).map(v6Text);
		expect(wrong).toEqual([]);
	});

	it("names: a name matches a bypass pattern exactly when the policy allows it and it ends in a letter", () => {
		const options = contextOptions(production);
		expect(options.proxyServer).toBe(SINK_PROXY);
		const rules = options.proxyBypassList ?? [];
		// Chrome matches a name pattern as a glob over the whole host: "*" is any run of characters.
		const patterns = rules.filter((rule) => /[a-z*]/.test(rule) && !rule.includes("/") && !rule.startsWith("<"));
		const globs = patterns.map((p) => new RegExp(`^${p.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`));
		const matches = (host: string) => globs.some((glob) => glob.test(host));
		const host = (url: string) => new URL(url).hostname;
		for (const url of [
			"https://example.com/",
			"https://a.b.example.co.uk/",
			"https://example.com./",
			"https://müller.de/",
			"https://example.xn--p1ai/",
			"https://Example.ORG/",
			"https://shop.al/",
			"https://x.notlocal/",
			"https://x.internals/",
			"https://arpa.example/",
		]) {
			expect(checkUrl(url, production).ok, url).toBe(true);
			expect(matches(host(url)), url).toBe(true);
		}
		// Refused by the policy and matched by no name pattern: they go to the sink.
		const refused = [
			"http://intranet/",
			"http://localhost/",
			"http://egress.localhost/",
			"http://metadata.google.internal/",
			"http://printer.local./",
			"http://nas.localdomain/",
			"http://router.home.arpa/",
			"http://127.0.0.1/",
			"http://[::1]/",
			"http://10.1.2.3/",
			"http://0x7f.1/",
		];
		for (const url of refused) {
			expect(checkUrl(url, production).ok, url).toBe(false);
			expect(matches(host(url)), url).toBe(false);
		}
		// Chrome's own exemption of loopback literals is taken back by the last rule.
		expect(rules.at(-1)).toBe("<-loopback>");

		// 5,000 names built from near misses of the refused suffixes. The sink lets a name through
		// when the policy allows it and it ends in a letter (then at most one root dot): no top-level
		// domain ends otherwise, so that narrower rule is the one deliberate difference.
		const labels = [
			"local",
			"internal",
			"localhost",
			"localdomain",
			"home",
			"arpa",
			"al",
			"cal",
			"ocal",
			"nal",
			"host",
			"domain",
			"main",
			"x-1",
			"b-",
			"a_b",
			"c_",
			"com",
			"xn--p1ai",
		];
		const name = fc.tuple(fc.array(fc.constantFrom(...labels), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 3 }));
		const names = sample(name, 5_000, 11).map(([parts, dot]) => `${parts.join(".")}${dot === 0 ? "." : ""}`);
		expect(names.filter((name) => name.endsWith(".")).length).toBeGreaterThan(1_000);
		const sinkRule = (name: string) => checkUrl(`https://${name}/`, production).ok && /[a-z]\.?$/.test(name);
		expect(names.filter((name) => matches(name) !== sinkRule(name))).toEqual([]);
		for (const name of ["example.x1", "a.b-", "a.b_", "example.com.."]) {
			expect(checkUrl(`https://${name}/`, production).ok, name).toBe(true);
			expect(matches(name), name).toBe(false);
		}
	});

	it("private networks allowed (development, tests): no sink", () => {
		expect(contextOptions({ allowPrivateNetwork: true })).toEqual({});
	});
});
