// Common: imported on both sides (Node and workerd), so it imports neither node:* nor cloudflare:* modules.
// What the late server (node/late-server.ts) sends, as the readiness tests check it.

/** The PostScript name of the late font (the DejaVu Sans Mono fixture), as the PDF's font dictionaries name it. */
export const LATE_FONT_NAME = "DejaVuSansMono";
/** Every image the late server sends: a solid red PNG of this size. */
export const LATE_IMAGE = { width: 40, height: 20 };
