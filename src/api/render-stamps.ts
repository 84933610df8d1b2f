// A render's stamps at creation: a tenant font a stamp names must exist (a 400 naming the stamp,
// before anything is stored), and each image leaves the request for R2, where the finishing step
// reads it. The record keeps only the key (src/jobs/new-record.ts); the job's stashed inputs are
// deleted with its sources (sourceKeysOf): on refusal, when the job ends, at retention.
import type { JobRecord } from "../jobs/record";
import { logError } from "../log";
import type { RenderRequest } from "../schemas/render-request";
import { isStandardFont, STAMP_DEFAULTS } from "../schemas/stamps";
import { findFace } from "../tenants/fonts";
import { tenantStub } from "../tenants/tenant-object";
import { ApiError } from "./errors";

/** 400 for a stamp whose font is neither a standard font nor a face the tenant uploaded. */
export async function checkStampFonts(env: Env, tenantId: string, body: RenderRequest): Promise<void> {
	const stamps = body.pdf?.stamps ?? [];
	const named = stamps.flatMap((stamp, index) => (stamp.font !== undefined && !isStandardFont(stamp.font) ? [{ stamp, index }] : []));
	if (named.length === 0) return;
	const faces = await tenantStub(env, tenantId).listFonts();
	for (const { stamp, index } of named) {
		const family = stamp.font ?? "";
		const weight = stamp.fontWeight ?? STAMP_DEFAULTS.fontWeight;
		const style = stamp.fontStyle ?? STAMP_DEFAULTS.fontStyle;
		if (findFace(faces, family, weight, style)) continue;
		const path = `pdf.stamps.${index}.font`;
		const message = `no font "${family}" with weight ${weight} and style ${style}: name a standard font or upload the face (PUT /v1/fonts/{family})`;
		throw new ApiError(400, "INVALID_REQUEST", `${path}: ${message}`, { details: [{ path, message }] });
	}
}

/** A stamp image's bytes and type, from the data URI the schema checked. */
export function stampImage(uri: string): { bytes: Uint8Array; contentType: string } {
	const comma = uri.indexOf(",");
	return { bytes: Uint8Array.from(atob(uri.slice(comma + 1)), (c) => c.charCodeAt(0)), contentType: uri.slice("data:".length, uri.indexOf(";")) };
}

/** Puts each stamp image at the key the record names for it. */
export async function stashStampImages(env: Env, record: JobRecord, body: RenderRequest): Promise<void> {
	const stash = (record.pdf.stamps ?? []).flatMap((stamp, i) => {
		const uri = body.pdf?.stamps?.[i]?.image;
		return stamp.imageKey && uri ? [{ key: stamp.imageKey, ...stampImage(uri) }] : [];
	});
	try {
		await Promise.all(stash.map((image) => env.DOCUMENTS.put(image.key, image.bytes, { httpMetadata: { contentType: image.contentType } })));
	} catch (err) {
		logError({ msg: "stamp image stash failed", jobId: record.id, tenantId: record.tenantId, error: String(err) });
		throw new ApiError(503, "STORAGE_FAILED", "could not store the stamp images; retry later");
	}
}
