// R2 keys of tenant fonts: fonts/<tenant>/<face id>. Not under documents/, so retention never touches them.
export function fontKey(tenantId: string, faceId: string): string {
	return `fonts/${tenantId}/${faceId}`;
}

/** The MIME type a face is stored and served with. */
export const FONT_MIME = { ttf: "font/ttf", otf: "font/otf", woff: "font/woff", woff2: "font/woff2" } as const;
