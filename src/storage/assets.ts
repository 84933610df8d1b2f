// A job's finishing assets: bytes a request carries for finishing (attachments, stamp images) that
// wait in R2 between the API and the consumer, never in the job record (which keeps their keys).
// All of a job's assets live under one prefix, assets/<tenant>/<job>/, so they are put, listed and
// deleted together: on a refused request, when the job ends, and at retention.

/** The prefix every asset of one job lives under. */
export function assetPrefix(tenantId: string, jobId: string): string {
	return `assets/${tenantId}/${jobId}/`;
}

/** One asset's key: `name` is ours (e.g. "attachment-0"), never a client's file name. */
export function assetKey(tenantId: string, jobId: string, name: string): string {
	return `${assetPrefix(tenantId, jobId)}${name}`;
}

export interface Asset {
	key: string;
	bytes: Uint8Array;
	contentType: string;
}

/** Puts every asset; the first failure rejects (the caller deletes the job's assets then). */
export async function putAssets(bucket: R2Bucket, assets: readonly Asset[]): Promise<void> {
	await Promise.all(assets.map((a) => bucket.put(a.key, a.bytes, { httpMetadata: { contentType: a.contentType } })));
}

/** An asset's bytes; null when it is gone. */
export async function readAsset(bucket: R2Bucket, key: string): Promise<Uint8Array | null> {
	const object = await bucket.get(key);
	return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

/** The keys of every asset a job has in R2, found by its prefix (not by its record). */
export async function listAssets(bucket: R2Bucket, tenantId: string, jobId: string): Promise<string[]> {
	const keys: string[] = [];
	let cursor: string | undefined;
	do {
		const page = await bucket.list({ prefix: assetPrefix(tenantId, jobId), cursor });
		keys.push(...page.objects.map((o) => o.key));
		cursor = page.truncated ? page.cursor : undefined;
	} while (cursor);
	return keys;
}

/** Deletes every asset of a job (a no-op without any). */
export async function deleteAssets(bucket: R2Bucket, tenantId: string, jobId: string): Promise<void> {
	const keys = await listAssets(bucket, tenantId, jobId);
	// R2 deletes at most 1,000 keys a call; a job holds a few dozen at most.
	for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
}

/** Whether a job record says it stashed assets (so a job without any costs no R2 list at its end). */
export function hasAssets(job: { attachments?: readonly unknown[] }): boolean {
	return (job.attachments?.length ?? 0) > 0;
}
