// One Durable Object per tenant holding that tenant's templates and every version of each. A PUT
// adds a version and never changes an old one, so a render pinned to version 3 renders the same
// later. Kept apart from TenantObject: template sources (up to 1 MiB a version, all versions kept)
// would swell the object every render request and slot grant goes through, and a schema of its own
// migrates independently of the tenant's.
import { DurableObject } from "cloudflare:workers";
import { newJobId } from "../jobs/ids";
import type { TemplateInput, TemplateSummary, TemplateUpdate } from "../schemas/template";
import { migrate } from "../storage/sql-schema";

/** The object's SQLite schema, one step per entry (exported for the test that upgrades old rows). */
export const TEMPLATE_MIGRATIONS = [
	`CREATE TABLE IF NOT EXISTS templates (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		latest INTEGER NOT NULL,
		created_at INTEGER NOT NULL,
		updated_at INTEGER NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS template_versions (
		template_id TEXT NOT NULL,
		version INTEGER NOT NULL,
		html TEXT NOT NULL,
		sample_data TEXT,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (template_id, version)
	)`,
	// Pinning: `seq` numbers the tenant's saves in the order this object made them (one at a time), so
	// two saves in the same millisecond still have an order; `name` is the template's name as that
	// save left it. Versions saved before these columns existed are numbered in the order they were
	// inserted (their rowid) and take the template's present name.
	"ALTER TABLE template_versions ADD COLUMN seq INTEGER",
	"ALTER TABLE template_versions ADD COLUMN name TEXT",
	"UPDATE template_versions SET seq = rowid, name = (SELECT name FROM templates WHERE templates.id = template_versions.template_id)",
	"CREATE INDEX IF NOT EXISTS template_versions_by_template ON template_versions (template_id, seq)",
	"CREATE INDEX IF NOT EXISTS template_versions_by_name ON template_versions (name, seq)",
];

export function templateStub(env: Env, tenantId: string): DurableObjectStub<TemplateObject> {
	return env.TEMPLATES.get(env.TEMPLATES.idFromName(tenantId));
}

/** Template ids sort by creation like job ids, with their own prefix. */
export function newTemplateId(now = Date.now()): string {
	return newJobId(now).replace(/^ren_/, "tpl_");
}

/** One version's source, as a render needs it; sample data stays JSON text across the RPC boundary. */
export interface TemplateSource {
	id: string;
	name: string;
	version: number;
	html: string;
	sampleDataJson: string | null;
}

/** A template a render included, at the version it used. */
export interface IncludedTemplate {
	id: string;
	name: string;
	version: number;
	html: string;
}

/** A version with its template's summary and version list, as GET shows it (after parsing sampleDataJson). */
export interface StoredTemplate extends TemplateSummary, TemplateSource {
	versions: number[];
}

export type SaveResult = { ok: true; template: StoredTemplate } | { ok: false; reason: "missing" | "name-taken" };

interface TemplateRow extends Record<string, SqlStorageValue> {
	id: string;
	name: string;
	latest: number;
	created_at: number;
	updated_at: number;
}

const summary = (row: TemplateRow): TemplateSummary => ({
	id: row.id,
	object: "template",
	name: row.name,
	version: row.latest,
	createdAt: new Date(row.created_at).toISOString(),
	updatedAt: new Date(row.updated_at).toISOString(),
});

export class TemplateObject extends DurableObject<Env> {
	private readonly sql: SqlStorage;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		ctx.blockConcurrencyWhile(async () => migrate(this.sql, TEMPLATE_MIGRATIONS));
	}

	private row(id: string): TemplateRow | null {
		return this.sql.exec<TemplateRow>("SELECT id, name, latest, created_at, updated_at FROM templates WHERE id = ?", id).toArray()[0] ?? null;
	}

	private nameTaken(name: string, byOtherThan: string | null): boolean {
		return this.sql.exec("SELECT 1 FROM templates WHERE name = ? AND id IS NOT ?", name, byOtherThan).toArray().length > 0;
	}

	/**
	 * A save's place in the order: one past the last. A deleted template's numbers may be given again,
	 * but never one below a version that still exists, which is all pinning compares against.
	 */
	private nextSeq(): number {
		return this.sql.exec<{ seq: number }>("SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM template_versions").one().seq;
	}

	private addVersion(id: string, name: string, version: number, input: TemplateUpdate, now: number): void {
		const sample = input.sampleData === undefined ? null : JSON.stringify(input.sampleData);
		this.sql.exec(
			"INSERT INTO template_versions (template_id, version, html, sample_data, created_at, seq, name) VALUES (?, ?, ?, ?, ?, ?, ?)",
			id,
			version,
			input.html,
			sample,
			now,
			this.nextSeq(),
			name,
		);
	}

	async create(input: TemplateInput, now = Date.now()): Promise<SaveResult> {
		if (this.nameTaken(input.name, null)) return { ok: false, reason: "name-taken" };
		const id = newTemplateId(now);
		this.sql.exec("INSERT INTO templates (id, name, latest, created_at, updated_at) VALUES (?, ?, 1, ?, ?)", id, input.name, now, now);
		this.addVersion(id, input.name, 1, input, now);
		return this.saved(id, 1);
	}

	/** A new version; the old ones stay as they were. */
	async update(id: string, input: TemplateUpdate, now = Date.now()): Promise<SaveResult> {
		const row = this.row(id);
		if (!row) return { ok: false, reason: "missing" };
		const name = input.name ?? row.name;
		if (this.nameTaken(name, id)) return { ok: false, reason: "name-taken" };
		const version = row.latest + 1;
		this.addVersion(id, name, version, input, now);
		this.sql.exec("UPDATE templates SET name = ?, latest = ?, updated_at = ? WHERE id = ?", name, version, now, id);
		return this.saved(id, version);
	}

	private saved(id: string, version: number): SaveResult {
		const template = this.readVersion(id, version);
		return template ? { ok: true, template } : { ok: false, reason: "missing" };
	}

	private readVersion(id: string, version?: number): StoredTemplate | null {
		const source = this.sourceOf(id, version);
		const row = this.row(id);
		if (!source || !row) return null;
		const versions = this.sql.exec<{ version: number }>("SELECT version FROM template_versions WHERE template_id = ? ORDER BY version", id).toArray();
		return { ...summary(row), ...source, versions: versions.map((v) => v.version) };
	}

	/** The template at `version` (default: the latest), or null. */
	async read(id: string, version?: number): Promise<StoredTemplate | null> {
		return this.readVersion(id, version);
	}

	private sourceOf(id: string, version?: number): TemplateSource | null {
		const row = this.row(id);
		if (!row) return null;
		const v = this.sql
			.exec<{ version: number; html: string; sample_data: string | null }>(
				"SELECT version, html, sample_data FROM template_versions WHERE template_id = ? AND version = ?",
				id,
				version ?? row.latest,
			)
			.toArray()[0];
		return v ? { id, name: row.name, version: v.version, html: v.html, sampleDataJson: v.sample_data } : null;
	}

	/** What a render needs of `id` at `version` (default: the latest). */
	async source(id: string, version?: number): Promise<TemplateSource | null> {
		return this.sourceOf(id, version);
	}

	/**
	 * `{% include "name" %}` / `{% render "name" %}`: the template with that name (or id), or null.
	 * Unpinned: the template that has the name now, at its latest version. Pinned to a version: the
	 * tenant's templates as they stood when that version was saved: the template that had the name
	 * then, at its last version saved before (or by) that save. A template saved for the first time
	 * later, or deleted since, is not there.
	 */
	async includeSource(nameOrId: string, pinnedTo?: { id: string; version: number }): Promise<IncludedTemplate | null> {
		return pinnedTo ? this.includeAsOf(nameOrId, pinnedTo) : this.latestInclude(nameOrId);
	}

	private latestInclude(nameOrId: string): IncludedTemplate | null {
		const row = this.sql.exec<{ id: string }>("SELECT id FROM templates WHERE name = ? OR id = ?", nameOrId, nameOrId).toArray()[0];
		const source = row ? this.sourceOf(row.id) : null;
		return source && { id: source.id, name: source.name, version: source.version, html: source.html };
	}

	private includeAsOf(nameOrId: string, pinnedTo: { id: string; version: number }): IncludedTemplate | null {
		const pin = this.sql
			.exec<{ seq: number }>("SELECT seq FROM template_versions WHERE template_id = ? AND version = ?", pinnedTo.id, pinnedTo.version)
			.toArray()[0];
		if (!pin) return null;
		// Templates that carried the name (or are that id) in some save up to the pin; each is what its
		// last version at or before the pin made it, name included, so the one named so then wins.
		const candidates = this.sql
			.exec<{ id: string }>(
				"SELECT DISTINCT template_id AS id FROM template_versions WHERE (name = ? OR template_id = ?) AND seq <= ?",
				nameOrId,
				nameOrId,
				pin.seq,
			)
			.toArray();
		for (const { id } of candidates) {
			const then = this.versionAsOf(id, pin.seq);
			if (then && (then.name === nameOrId || then.id === nameOrId)) return then;
		}
		return null;
	}

	/** The template's last version saved at or before save number `seq`. */
	private versionAsOf(id: string, seq: number): IncludedTemplate | null {
		const row = this.sql
			.exec<{ name: string; version: number; html: string }>(
				"SELECT name, version, html FROM template_versions WHERE template_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
				id,
				seq,
			)
			.toArray()[0];
		return row ? { id, name: row.name, version: row.version, html: row.html } : null;
	}

	/** By name; the cursor is the last name returned. */
	async list(limit: number, cursor?: string): Promise<{ data: TemplateSummary[]; nextCursor: string | null }> {
		const rows = this.sql
			.exec<TemplateRow>("SELECT id, name, latest, created_at, updated_at FROM templates WHERE name > ? ORDER BY name LIMIT ?", cursor ?? "", limit + 1)
			.toArray();
		const page = rows.slice(0, limit);
		return { data: page.map(summary), nextCursor: rows.length > limit ? (page.at(-1)?.name ?? null) : null };
	}

	/** Deletes the template and all its versions. Renders already accepted keep their rendered HTML. */
	async remove(id: string): Promise<boolean> {
		if (!this.row(id)) return false;
		this.sql.exec("DELETE FROM template_versions WHERE template_id = ?", id);
		this.sql.exec("DELETE FROM templates WHERE id = ?", id);
		return true;
	}
}
