// The public internet as CIDR blocks: the complement of the ranges the address policy refuses.
// The browser's proxy bypass list (render/egress-sink.ts) needs the allowed side spelled out,
// since Chrome's bypass rules cannot say "all but". test/public-ranges.test.ts holds these blocks
// to isBlockedIPv4/isBlockedIPv6, so the two spellings of the policy cannot drift apart.
import { BLOCKED_V4 } from "./url-policy";

/** [first address, prefix length] */
type Block = [bigint, number];

/** Global unicast (2000::/3) is the only public IPv6 space; these parts of it are refused too. */
const GLOBAL_V6: [string, number] = ["2000::", 3];
const BLOCKED_GLOBAL_V6: Array<[string, number]> = [
	["2001::", 23], // IETF protocol assignments, Teredo
	["2001:db8::", 32], // documentation
	["2002::", 16], // 6to4 embeds an IPv4 address
];

/** An IPv4 address in dotted form as a number. */
export function v4Value(address: string): bigint {
	return address.split(".").reduce((n, part) => n * 256n + BigInt(part), 0n);
}

/** An IPv6 address ("::" allowed, no brackets) as a number. */
export function v6Value(address: string): bigint {
	const [head = "", tail = ""] = address.split("::");
	const left = head ? head.split(":") : [];
	const right = tail ? tail.split(":") : [];
	const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
	return groups.reduce((n, group) => n * 65536n + BigInt(`0x${group}`), 0n);
}

/** The largest aligned blocks that cover [start, end) exactly. */
function cover(start: bigint, end: bigint, bits: number): Block[] {
	const blocks: Block[] = [];
	let at = start;
	while (at < end) {
		let prefix = bits;
		while (prefix > 0) {
			const size = 1n << BigInt(bits - prefix + 1);
			if (at % size !== 0n || at + size > end) break;
			prefix--;
		}
		blocks.push([at, prefix]);
		at += 1n << BigInt(bits - prefix);
	}
	return blocks;
}

/** The blocks of `universe` that none of `refused` overlaps. */
function complement(universe: Block, refused: Block[], bits: number): Block[] {
	const end = universe[0] + (1n << BigInt(bits - universe[1]));
	const sorted = [...refused].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
	const blocks: Block[] = [];
	let at = universe[0];
	for (const [first, prefix] of sorted) {
		if (first > at) blocks.push(...cover(at, first, bits));
		const last = first + (1n << BigInt(bits - prefix));
		if (last > at) at = last;
	}
	if (at < end) blocks.push(...cover(at, end, bits));
	return blocks;
}

export function v4Text(value: bigint): string {
	return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join(".");
}

/** Eight uncompressed groups, which Chrome and isBlockedIPv6 both read. */
export function v6Text(value: bigint): string {
	return [...Array(8).keys()].map((i) => ((value >> BigInt(112 - i * 16)) & 0xffffn).toString(16)).join(":");
}

/** Public IPv4 space, e.g. "1.0.0.0/8". */
export function publicV4Cidrs(): string[] {
	const refused = BLOCKED_V4.map(([network, prefix]): Block => [v4Value(network), prefix]);
	return complement([0n, 0], refused, 32).map(([first, prefix]) => `${v4Text(first)}/${prefix}`);
}

/** Public IPv6 space, e.g. "2003:0:0:0:0:0:0:0/16". */
export function publicV6Cidrs(): string[] {
	const refused = BLOCKED_GLOBAL_V6.map(([network, prefix]): Block => [v6Value(network), prefix]);
	return complement([v6Value(GLOBAL_V6[0]), GLOBAL_V6[1]], refused, 128).map(([first, prefix]) => `${v6Text(first)}/${prefix}`);
}
