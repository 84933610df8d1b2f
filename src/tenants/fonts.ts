// A tenant's font faces in its Durable Object's SQLite: the index (family, weight, style → the R2
// object holding the bytes). Families are unique per tenant case-insensitively, as CSS matches
// them: `family_key` is the lower-cased name, and a family keeps the spelling of its first face.

export const FONT_MIGRATIONS = [
	"CREATE TABLE IF NOT EXISTS fonts (id TEXT PRIMARY KEY, family TEXT NOT NULL, family_key TEXT NOT NULL, weight INTEGER NOT NULL, style TEXT NOT NULL, format TEXT NOT NULL, size_bytes INTEGER NOT NULL, sha256 TEXT NOT NULL, created_at INTEGER NOT NULL)",
	"CREATE UNIQUE INDEX IF NOT EXISTS fonts_face ON fonts (family_key, weight, style)",
];

export interface FaceRow {
	/** Names the R2 object (src/storage/fonts.ts); a new file gets a new id, so a render reading the old one is not cut off. */
	id: string;
	family: string;
	weight: number;
	style: "normal" | "italic";
	format: "ttf" | "otf" | "woff" | "woff2";
	sizeBytes: number;
	sha256: string;
	createdAt: number;
}

export type PutFaceResult =
	| { ok: true; replaced: string | null }
	| { ok: false; reason: "spelling"; family: string }
	| { ok: false; reason: "limit"; limit: number };

type Raw = { id: string; family: string; weight: number; style: string; format: string; size_bytes: number; sha256: string; created_at: number };
const COLUMNS = "id, family, weight, style, format, size_bytes, sha256, created_at";

const toRow = (r: Raw): FaceRow => ({
	id: r.id,
	family: r.family,
	weight: r.weight,
	style: r.style === "italic" ? "italic" : "normal",
	format: r.format === "otf" || r.format === "woff" || r.format === "woff2" ? r.format : "ttf",
	sizeBytes: r.size_bytes,
	sha256: r.sha256,
	createdAt: r.created_at,
});

const keyOf = (family: string) => family.toLowerCase();

/** Saves the face, replacing the same family/weight/style; refuses another spelling of a family, or a face past `limit`. */
export function putFace(sql: SqlStorage, face: FaceRow, limit: number): PutFaceResult {
	const familyKey = keyOf(face.family);
	const spelling = sql.exec<{ family: string }>("SELECT family FROM fonts WHERE family_key = ? LIMIT 1", familyKey).toArray()[0]?.family;
	if (spelling !== undefined && spelling !== face.family) return { ok: false, reason: "spelling", family: spelling };
	const old = sql
		.exec<{ id: string }>("SELECT id FROM fonts WHERE family_key = ? AND weight = ? AND style = ?", familyKey, face.weight, face.style)
		.toArray()[0];
	if (!old && sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM fonts").one().n >= limit) return { ok: false, reason: "limit", limit };
	if (old) sql.exec("DELETE FROM fonts WHERE id = ?", old.id);
	sql.exec(
		`INSERT INTO fonts (${COLUMNS}, family_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		face.id,
		face.family,
		face.weight,
		face.style,
		face.format,
		face.sizeBytes,
		face.sha256,
		face.createdAt,
		familyKey,
	);
	return { ok: true, replaced: old?.id ?? null };
}

export function listFaces(sql: SqlStorage): FaceRow[] {
	return sql.exec<Raw>(`SELECT ${COLUMNS} FROM fonts ORDER BY family_key, weight, style`).toArray().map(toRow);
}

/** Removes the family (or, with `face`, that one face of it); returns the removed rows. */
export function deleteFaces(sql: SqlStorage, family: string, face?: { weight: number; style: string }): FaceRow[] {
	const familyKey = keyOf(family);
	const where = face ? "family_key = ? AND weight = ? AND style = ?" : "family_key = ?";
	const params = face ? [familyKey, face.weight, face.style] : [familyKey];
	const removed = sql
		.exec<Raw>(`SELECT ${COLUMNS} FROM fonts WHERE ${where}`, ...params)
		.toArray()
		.map(toRow);
	sql.exec(`DELETE FROM fonts WHERE ${where}`, ...params);
	return removed;
}

/** The face of `family` (matched case-insensitively, as CSS does) with this weight and style. */
export function findFace(faces: readonly FaceRow[], family: string, weight: number, style: string): FaceRow | undefined {
	const familyKey = keyOf(family);
	return faces.find((face) => keyOf(face.family) === familyKey && face.weight === weight && face.style === style);
}
