// A tenant's signing keys in its Durable Object's SQLite: the certificate's description in the
// clear (what the API shows) and the private key with its certificates sealed
// (src/signing/keys.ts seals before anything reaches this layer, which stores rows).
import { CertificateInfo } from "../schemas/signing-key";
import { parseStored } from "../schemas/stored";

export const SIGNING_KEY_MIGRATIONS = [
	"CREATE TABLE IF NOT EXISTS signing_keys (name TEXT PRIMARY KEY, certificate TEXT NOT NULL, sealed TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
];

export interface SigningKeyRow {
	name: string;
	certificate: CertificateInfo;
	/** Sealed JSON SealedSigningKey: the PKCS#8 key and the certificates. */
	sealed: string;
	createdAt: number;
	updatedAt: number;
}

type Raw = { name: string; certificate: string; sealed: string; created_at: number; updated_at: number };
const COLUMNS = "name, certificate, sealed, created_at, updated_at";

const toRow = (r: Raw): SigningKeyRow => ({
	name: r.name,
	certificate: parseStored(CertificateInfo, `certificate of signing key "${r.name}"`, r.certificate),
	sealed: r.sealed,
	createdAt: r.created_at,
	updatedAt: r.updated_at,
});

export function putSigningKey(
	sql: SqlStorage,
	name: string,
	certificate: CertificateInfo,
	sealed: string,
	now: number,
): { created: boolean; row: SigningKeyRow } {
	const existed = sql.exec("SELECT 1 FROM signing_keys WHERE name = ?", name).toArray().length > 0;
	sql.exec(
		`INSERT INTO signing_keys (${COLUMNS}) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET certificate = excluded.certificate, sealed = excluded.sealed, updated_at = excluded.updated_at`,
		name,
		JSON.stringify(certificate),
		sealed,
		now,
		now,
	);
	return { created: !existed, row: getSigningKey(sql, name)! };
}

export function getSigningKey(sql: SqlStorage, name: string): SigningKeyRow | null {
	const raw = sql.exec<Raw>(`SELECT ${COLUMNS} FROM signing_keys WHERE name = ?`, name).toArray()[0];
	return raw ? toRow(raw) : null;
}

export function listSigningKeys(sql: SqlStorage): SigningKeyRow[] {
	return sql.exec<Raw>(`SELECT ${COLUMNS} FROM signing_keys ORDER BY name`).toArray().map(toRow);
}

export function deleteSigningKey(sql: SqlStorage, name: string): boolean {
	return sql.exec("DELETE FROM signing_keys WHERE name = ?", name).rowsWritten > 0;
}
