// The whole-PDF budget's own parts: the isolate's one-at-a-time turn, and the object count read
// from a PDF's trailer before pdf-lib loads it.
import { describe, expect, it } from "vitest";
import { PDFDocument } from "pdf-lib";
import { wholePdfState, withWholePdf } from "../src/render/pdf-memory";
import { declaredObjectCount } from "../src/pdf/object-count";
import { poll } from "./support/worker/poll";

/** A promise the test settles by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
	let open = () => {};
	const promise = new Promise<void>((resolve) => {
		open = resolve;
	});
	return { promise, open };
}

const soon = () => Date.now() + 30_000;

describe("the whole-PDF turn", () => {
	it("a second whole-PDF step waits until the first is done, then runs", async () => {
		const first = gate();
		const ran: string[] = [];
		const one = withWholePdf(soon(), async () => {
			ran.push("first");
			await first.promise;
		});
		const two = withWholePdf(soon(), async () => {
			ran.push("second");
		});
		await poll(() => ran.length === 1 || undefined);
		expect(wholePdfState()).toMatchObject({ running: 1, waiting: 1 });
		expect(ran).toEqual(["first"]);
		first.open();
		await Promise.all([one, two]);
		expect(ran).toEqual(["first", "second"]);
		expect(wholePdfState()).toMatchObject({ running: 0, waiting: 0, mostRunning: 1 });
	});

	it("many steps at once run one at a time, in arrival order", async () => {
		const ran: number[] = [];
		await Promise.all(
			Array.from({ length: 6 }, (_, i) =>
				withWholePdf(soon(), async () => {
					ran.push(i);
					// Yield to the others while holding the turn, as a merge does between parts.
					for (let k = 0; k < 5; k++) await new Promise((resolve) => setTimeout(resolve, 0));
				}),
			),
		);
		expect(ran).toEqual([0, 1, 2, 3, 4, 5]);
		expect(wholePdfState()).toMatchObject({ running: 0, waiting: 0, mostRunning: 1 });
	});

	it("a step still waiting at its deadline gives up its place (transient failure) and never runs; the next gets the turn", async () => {
		const first = gate();
		const held = withWholePdf(soon(), () => first.promise);
		let lateRan = false;
		const late = withWholePdf(Date.now() + 50, async () => {
			lateRan = true;
		});
		const next = withWholePdf(soon(), async () => "next ran");
		await expect(late).rejects.toMatchObject({ code: "INTERNAL", transient: true, message: expect.stringMatching(/time budget/) });
		expect(wholePdfState()).toMatchObject({ running: 1, waiting: 1 });
		first.open();
		await held;
		expect(await next).toBe("next ran");
		expect(lateRan).toBe(false);
		expect(wholePdfState()).toMatchObject({ running: 0, waiting: 0 });
	});

	it("a step that throws passes the turn on", async () => {
		await expect(withWholePdf(soon(), async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
		expect(await withWholePdf(soon(), async () => 42)).toBe(42);
	});
});

describe("the object count of a PDF, from its trailer", () => {
	it("reads /Size of a classic xref table's trailer and of a cross-reference stream", async () => {
		const doc = await PDFDocument.create();
		for (let i = 0; i < 30; i++) doc.addPage();
		const classic = await doc.save({ useObjectStreams: false });
		const streams = await doc.save({ useObjectStreams: true });
		const size = doc.context.largestObjectNumber + 1;
		expect(declaredObjectCount(classic)).toBe(size);
		// A cross-reference stream is one more object of its own.
		expect(declaredObjectCount(streams)).toBeGreaterThanOrEqual(size);
	});

	it("is null without a readable trailer", () => {
		const bytes = (text: string) => new TextEncoder().encode(text);
		expect(declaredObjectCount(bytes("%PDF-1.7\nno trailer here\n%%EOF"))).toBeNull();
		expect(declaredObjectCount(bytes("%PDF-1.7\nstartxref\n999999\n%%EOF"))).toBeNull();
		expect(declaredObjectCount(bytes("%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF"))).toBeNull();
	});
});
