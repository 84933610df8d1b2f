// Job ids: "ren_" + 10 chars of time + 16 random chars (Crockford base32), so ids sort by creation.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
export const JOB_ID = /^ren_[0-9a-hjkmnp-tv-z]{26}$/;

export function newJobId(now = Date.now()): string {
	let time = "";
	for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = (ALPHABET[t % 32] ?? "0") + time;
	const random = crypto.getRandomValues(new Uint8Array(16));
	return `ren_${time}${[...random].map((b) => ALPHABET[b % 32]).join("")}`;
}

export function isJobId(value: string): boolean {
	return JOB_ID.test(value);
}

/** The job's Durable Object: one per id, named by the id. */
export function jobStub(env: Env, jobId: string): DurableObjectStub<import("./job-object").JobObject> {
	return env.JOBS.get(env.JOBS.idFromName(jobId));
}
