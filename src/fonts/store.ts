// Saving and removing a tenant's font faces: bytes in R2, the index in the tenant's Durable Object.
// The bytes go first and are removed again when the index refuses the face, so a refused upload
// leaves nothing; a replaced face's old object is removed once the index points at the new one.
import { logError } from "../log";
import { MAX_FACES_PER_TENANT, type FontFaceView, type FontStyle } from "../schemas/font";
import { sha256Hex } from "../security/crypto";
import { FONT_MIME, fontKey } from "../storage/fonts";
import type { FaceRow } from "../tenants/fonts";
import { tenantStub } from "../tenants/tenant-object";
import type { FontFormat } from "./validate";

export function faceView(row: FaceRow): FontFaceView {
	const { id, createdAt, ...rest } = row;
	return { ...rest, createdAt: new Date(createdAt).toISOString() };
}

export type SaveFaceResult =
	| { ok: true; created: boolean; face: FontFaceView }
	| { ok: false; reason: "spelling"; family: string }
	| { ok: false; reason: "limit"; limit: number };

export interface FaceUpload {
	family: string;
	weight: number;
	style: FontStyle;
	format: FontFormat;
	bytes: Uint8Array;
}

export async function saveFace(env: Env, tenantId: string, upload: FaceUpload): Promise<SaveFaceResult> {
	const { bytes, ...face } = upload;
	const row: FaceRow = {
		...face,
		id: `fnt_${crypto.randomUUID().replaceAll("-", "")}`,
		sizeBytes: bytes.byteLength,
		sha256: await sha256Hex(bytes),
		createdAt: Date.now(),
	};
	const key = fontKey(tenantId, row.id);
	await env.DOCUMENTS.put(key, bytes, { httpMetadata: { contentType: FONT_MIME[row.format] }, customMetadata: { tenantId, family: row.family } });
	const result = await tenantStub(env, tenantId)
		.putFont(row, MAX_FACES_PER_TENANT)
		.catch(async (err: unknown) => {
			await env.DOCUMENTS.delete(key);
			throw err;
		});
	if (!result.ok) {
		await env.DOCUMENTS.delete(key);
		return result;
	}
	if (result.replaced) await removeObjects(env, tenantId, [result.replaced]);
	return { ok: true, created: result.replaced === null, face: faceView(row) };
}

/** The family, or one face of it; the removed faces (none: nothing by that name). */
export async function deleteFaces(env: Env, tenantId: string, family: string, face?: { weight: number; style: FontStyle }): Promise<FaceRow[]> {
	const removed = await tenantStub(env, tenantId).deleteFonts(family, face);
	await removeObjects(
		env,
		tenantId,
		removed.map((r) => r.id),
	);
	return removed;
}

/** An object left behind is only storage: the index no longer names it, so no render can use it. */
async function removeObjects(env: Env, tenantId: string, ids: string[]): Promise<void> {
	if (ids.length === 0) return;
	await env.DOCUMENTS.delete(ids.map((id) => fontKey(tenantId, id))).catch((err: unknown) =>
		logError({ msg: "font object delete failed", tenantId, error: String(err) }),
	);
}
