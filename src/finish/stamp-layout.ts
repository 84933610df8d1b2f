// Where a stamp goes on a page: pure geometry in PDF points (origin bottom-left, y up). The stamp is
// a box placed by its position and margin, then turned about its own centre, so a rotated stamp
// keeps the centre an unrotated one would have.
import type { CssLength, PageRange } from "../schemas/lengths";
import { parsePageRanges } from "../schemas/lengths";
import type { StampPosition } from "../schemas/stamps";

export interface Size {
	width: number;
	height: number;
}

export interface Point {
	x: number;
	y: number;
}

/** A page's visible area: its crop box (the media box unless one is set). */
export interface PageArea extends Point, Size {}

/** [a b c d e f]: the PDF matrix that maps (x, y) to (a x + c y + e, b x + d y + f). */
export type Matrix = [number, number, number, number, number, number];

/** Points per unit of the lengths the API takes (CSS: 96 px to the inch, 72 pt to the inch). */
const POINTS_PER: Record<string, number> = { px: 0.75, in: 72, cm: 72 / 2.54, mm: 72 / 25.4 };

/** A CSS length in points; a bare number (or no unit) is CSS px. */
export function points(length: CssLength): number {
	if (typeof length === "number") return length * 0.75;
	const [, value = "0", unit = "px"] = length.match(/^(\d+(?:\.\d+)?)(px|in|cm|mm)?$/) ?? [];
	return Number(value) * (POINTS_PER[unit] ?? 0.75);
}

/** The lower-left corner of an unrotated box of `size` at `position`, `margin` points from the named edges. */
export function placeBox(page: PageArea, size: Size, position: StampPosition, margin: number): Point {
	const [vertical, horizontal = "center"] = position === "center" ? ["center", "center"] : position.split("-");
	const x =
		horizontal === "left" ? page.x + margin : horizontal === "right" ? page.x + page.width - margin - size.width : page.x + (page.width - size.width) / 2;
	const y =
		vertical === "bottom" ? page.y + margin : vertical === "top" ? page.y + page.height - margin - size.height : page.y + (page.height - size.height) / 2;
	return { x, y };
}

/**
 * The matrix that draws a box's own coordinates (0..width, 0..height) with its lower-left corner at
 * `at`, turned `degrees` counter-clockwise about the box's centre: translate to the centre, rotate,
 * translate back by half the box.
 */
export function stampMatrix(at: Point, size: Size, degrees: number): Matrix {
	const radians = (degrees * Math.PI) / 180;
	const cos = Math.cos(radians);
	const sin = Math.sin(radians);
	const cx = at.x + size.width / 2;
	const cy = at.y + size.height / 2;
	const e = cx - (cos * size.width) / 2 + (sin * size.height) / 2;
	const f = cy - (sin * size.width) / 2 - (cos * size.height) / 2;
	return [cos, sin, -sin, cos, e, f];
}

/** Where `matrix` takes the point (x, y). */
export function apply(matrix: Matrix, p: Point): Point {
	const [a, b, c, d, e, f] = matrix;
	return { x: a * p.x + c * p.y + e, y: b * p.x + d * p.y + f };
}

/** The size an image is drawn at: both lengths given; one, the other by its aspect ratio; neither, 1 px = 1 pt. */
export function imageBox(pixels: Size, width: number | undefined, height: number | undefined): Size {
	if (width !== undefined && height !== undefined) return { width, height };
	if (width !== undefined) return { width, height: (width * pixels.height) / pixels.width };
	if (height !== undefined) return { width: (height * pixels.width) / pixels.height, height };
	return { width: pixels.width, height: pixels.height };
}

/** The pages (from 0) a stamp's `pages` selects in a document of `count` pages; pages past the end are ignored. */
export function selectedPages(pages: string | undefined, count: number): Set<number> {
	const ranges: PageRange[] = pages === undefined ? [{ first: 1, last: null }] : parsePageRanges(pages);
	const selected = new Set<number>();
	for (const { first, last } of ranges) {
		// A range that ends before it starts selects none; page 0 is no page.
		for (let page = Math.max(first, 1); page <= Math.min(last ?? count, count); page++) selected.add(page - 1);
	}
	return selected;
}
