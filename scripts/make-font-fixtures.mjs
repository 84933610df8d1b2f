#!/usr/bin/env node
// `node scripts/make-font-fixtures.mjs`: writes the WOFF and WOFF2 test fixtures from the TrueType
// one (test/fixtures/fonts/DejaVuSansMono.ttf) with Node's zlib and Brotli. Run once when the
// TrueType fixture changes; the outputs are committed.
import { readFileSync, writeFileSync } from "node:fs";
import { toWoff, toWoff2 } from "./lib/font-files.mjs";

const dir = new URL("../test/fixtures/fonts/", import.meta.url);
const ttf = readFileSync(new URL("DejaVuSansMono.ttf", dir));
writeFileSync(new URL("DejaVuSansMono.woff", dir), toWoff(ttf));
writeFileSync(new URL("DejaVuSansMono.woff2", dir), toWoff2(ttf));
