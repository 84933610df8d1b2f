// What the stamps step needs from storage, loaded before finishing starts (the steps never touch
// storage): each image stamp's bytes, stashed in R2 by the API, and each tenant font's face.
import { type FinishAssets, NO_ASSETS, type StampAssets } from "../finish/step";
import { logError } from "../log";
import type { StoredPdfOptions } from "../schemas/job-record";
import { isStandardFont, STAMP_DEFAULTS, type StoredStamp } from "../schemas/stamps";
import { findFace } from "../tenants/fonts";
import type { Production } from "./attempt-inputs";
import { RenderFailure } from "./errors";

async function readImage(p: Production, key: string, index: number): Promise<Uint8Array> {
	const object = await p.env.DOCUMENTS.get(key).catch((err: unknown) => {
		// R2's own text goes to the log (redacted), not into the job's error.
		logError({ msg: "stamp image read failed", jobId: p.job.id, tenantId: p.job.tenantId, error: String(err) });
		throw new RenderFailure("STORAGE_FAILED", `could not read the image of pdf.stamps.${index}`, true);
	});
	if (!object) throw new RenderFailure("INTERNAL", `the image of pdf.stamps.${index} is missing`, false);
	return new Uint8Array(await object.arrayBuffer());
}

/** The tenant face a text stamp names, or undefined (a standard font, or a face deleted since: the step says so). */
function readFont(p: Production, stamp: StoredStamp, reads: Map<string, Promise<Uint8Array>>): Promise<Uint8Array> | undefined {
	if (stamp.font === undefined || isStandardFont(stamp.font) || !p.fonts) return undefined;
	const face = findFace(p.fonts.faces, stamp.font, stamp.fontWeight ?? STAMP_DEFAULTS.fontWeight, stamp.fontStyle ?? STAMP_DEFAULTS.fontStyle);
	if (!face) return undefined;
	const fonts = p.fonts;
	// One read per face: stamps sharing it share the bytes, and pdf-lib embeds it once.
	let bytes = reads.get(face.id);
	if (!bytes) {
		bytes = fonts.bytesOf(face).catch((err: unknown) => {
			logError({ msg: "stamp font read failed", jobId: p.job.id, tenantId: p.job.tenantId, faceId: face.id, error: String(err) });
			throw new RenderFailure("STORAGE_FAILED", `could not read the font "${stamp.font}"`, true);
		});
		reads.set(face.id, bytes);
	}
	return bytes;
}

export async function loadStampAssets(p: Production, pdf: StoredPdfOptions): Promise<FinishAssets> {
	const reads = new Map<string, Promise<Uint8Array>>();
	const stamps = await Promise.all(
		(pdf.stamps ?? []).map(async (stamp, index): Promise<StampAssets> => {
			if (stamp.imageKey !== undefined) return { image: await readImage(p, stamp.imageKey, index) };
			const font = await readFont(p, stamp, reads);
			return font ? { font } : {};
		}),
	);
	return { ...NO_ASSETS, stamps };
}
