// The public internet as CIDR blocks: the complement of the ranges the address policy refuses.
// The browser's proxy bypass list (render/egress-sink.ts) needs the allowed side spelled out,
// since Chrome's bypass rules cannot say "all but". test/public-ranges.test.ts holds these blocks
// to isBlockedIPv4/isBlockedIPv6.
import { BLOCKED_GLOBAL_V6, BLOCKED_V4, GLOBAL_UNICAST_V6, v4ToInt, v6ToBigInt } from "./url-policy";

/** [first address, prefix length] */
type Block = [bigint, number];

/** Our own constants only, so a malformed one is a programming error. */
function parsed<T>(value: T | null, text: string): T {
	if (value === null) throw new Error(`not an address: ${text}`);
	return value;
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
	const refused = BLOCKED_V4.map(([network, prefix]): Block => [BigInt(parsed(v4ToInt(network), network)), prefix]);
	return complement([0n, 0], refused, 32).map(([first, prefix]) => `${v4Text(first)}/${prefix}`);
}

/** Public IPv6 space, e.g. "2003:0:0:0:0:0:0:0/16". */
export function publicV6Cidrs(): string[] {
	const block = ([network, prefix]: [string, number]): Block => [parsed(v6ToBigInt(network), network), prefix];
	return complement(block(GLOBAL_UNICAST_V6), BLOCKED_GLOBAL_V6.map(block), 128).map(([first, prefix]) => `${v6Text(first)}/${prefix}`);
}
