// Writes a generated file only when its bytes differ from what is there. A running `wrangler dev`
// watches src/ (the vendored assets live under src/public) and reloads on every write, and a reload
// drops the queue messages its consumer holds: a second `npm start` must leave the first one alone.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** True when the file was (re)written, false when it already held exactly `content`. */
export function writeIfChanged(path, content) {
	const bytes = typeof content === "string" ? Buffer.from(content) : content;
	if (existsSync(path) && readFileSync(path).equals(bytes)) return false;
	writeFileSync(path, bytes);
	return true;
}
