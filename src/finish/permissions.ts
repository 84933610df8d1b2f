// The permissions of `pdf.encrypt` as the /P entry of the encryption dictionary (ISO 32000-2,
// 7.6.4.2, Table 22): a 32-bit field, bit 1 the lowest. Pure.
import type { Permissions } from "../schemas/encrypt";

const bit = (n: number) => 1 << (n - 1);

/** Bits 3 print, 4 modify, 5 copy, 6 annotate, 9 fill forms, 10 accessibility, 11 assemble, 12 faithful print. */
const BITS = {
	print: bit(3),
	modify: bit(4),
	copy: bit(5),
	annotate: bit(6),
	fillForms: bit(9),
	accessibility: bit(10),
	assemble: bit(11),
	printHigh: bit(12),
};

/** Bits 1-2 are reserved 0; bits 7-8 and 13-32 are reserved 1 (revision 3 and later). */
const RESERVED_ONES = bit(7) | bit(8) | ~(bit(13) - 1);

/** /P as a signed 32-bit integer, as the PDF writes it. Every permission not named is allowed. */
export function permissionBits(permissions: Permissions): number {
	const allow = (value: boolean | undefined) => value !== false;
	const print = permissions.print ?? "high";
	let p = RESERVED_ONES;
	if (print !== "none") p |= BITS.print;
	if (print === "high") p |= BITS.printHigh;
	if (allow(permissions.modify)) p |= BITS.modify;
	if (allow(permissions.copy)) p |= BITS.copy;
	if (allow(permissions.annotate)) p |= BITS.annotate;
	if (allow(permissions.fillForms)) p |= BITS.fillForms;
	if (allow(permissions.accessibility)) p |= BITS.accessibility;
	if (allow(permissions.assemble)) p |= BITS.assemble;
	return p | 0;
}
