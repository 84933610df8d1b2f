// Reads a stored job record of any version into today's JobRecord: one step per version bump,
// then a zod parse, so a record that matches no known shape fails loudly instead of half-working.
import { JOB_RECORD_VERSION, JobRecord } from "../schemas/job-record";
import { CorruptedStore, describeIssues } from "../schemas/stored";

type Raw = Record<string, unknown>;

/** Each step turns version n (the index + 1) into version n + 1. */
const STEPS: Array<(record: Raw) => Raw> = [
	// 1 → 2: versioned; purgeAt (the record's own deletion, set when it is next saved if terminal);
	// webhook headers sealed (the plaintext is sealed, and dropped, by the next save).
	(record) => {
		const webhook = record.webhook as Raw | null | undefined;
		return { ...record, v: 2, purgeAt: null, webhook: webhook ? { ...webhook, sealedHeaders: null } : null };
	},
	// 2 → 3: no destination (the signed link is the result), nothing to deliver.
	(record) => ({ ...record, v: 3, destination: null, keepCopy: false, delivery: null }),
	// 3 → 4: the new outputs are optional; an older record is a PDF with no preview and one source.
	(record) => ({ ...record, v: 4 }),
	// 4 → 5: which templates (and versions) a render used, and each part's source, were not kept:
	// unknown, so null, never a guess (a template's includes cannot be told from the record).
	(record) => ({ ...record, v: 5, source: unrecordedSources(record.source) }),
	// 5 → 6: no render report was kept: null, as for a job no attempt has ended.
	(record) => ({ ...record, v: 6, report: null }),
	// 6 → 7: stamps are new (an older record has none), and so is the markdown source type.
	(record) => ({ ...record, v: 7 }),
	// 7 → 8: encryption, signatures, PDF/A and attachments are new: an older record asked for none.
	(record) => ({ ...record, v: 8 }),
];

/** A version-4 source with the fields version 5 adds, as "not recorded". */
function unrecordedSources(source: unknown): unknown {
	if (source === null || typeof source !== "object") return source;
	const s = source as Raw;
	if (s.type === "template") return { ...s, templates: null };
	if (s.type === "parts") return { ...s, parts: null };
	return s;
}

/** A stored record of no known version, or one that does not parse as its version: a corrupted store. */
export class UnreadableRecord extends CorruptedStore {
	constructor(problem: string) {
		super("job record", problem);
		this.name = "UnreadableRecord";
	}
}

/** The record as today's shape, and whether it was stored in an older one (then the caller saves it back). */
export function upgradeRecord(stored: unknown): { record: JobRecord; upgraded: boolean } {
	if (stored === null || typeof stored !== "object") throw new UnreadableRecord("not an object");
	let raw = stored as Raw;
	const from = typeof raw.v === "number" ? raw.v : 1;
	if (!Number.isInteger(from) || from < 1 || from > JOB_RECORD_VERSION) throw new UnreadableRecord(`unknown version ${String(raw.v)}`);
	for (let version = from; version < JOB_RECORD_VERSION; version++) {
		const step = STEPS[version - 1];
		if (!step) throw new UnreadableRecord(`no migration from version ${version}`);
		raw = step(raw);
	}
	const parsed = JobRecord.safeParse(raw);
	if (!parsed.success) throw new UnreadableRecord(describeIssues(parsed.error));
	return { record: parsed.data, upgraded: from < JOB_RECORD_VERSION };
}
