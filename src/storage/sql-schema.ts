// Versioned, idempotent SQLite schema for a Durable Object: each migration runs once, in order,
// and the version reached is recorded in _schema.
export function migrate(sql: SqlStorage, migrations: readonly string[]): void {
	sql.exec("CREATE TABLE IF NOT EXISTS _schema (version INTEGER NOT NULL)");
	const row = sql.exec<{ version: number }>("SELECT version FROM _schema").toArray()[0];
	const current = row?.version ?? 0;
	for (const statement of migrations.slice(current)) sql.exec(statement);
	if (!row) sql.exec("INSERT INTO _schema (version) VALUES (?)", migrations.length);
	else if (current < migrations.length) sql.exec("UPDATE _schema SET version = ?", migrations.length);
}
