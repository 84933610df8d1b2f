// `pdf.encrypt`: AES-256 password protection (ISO 32000-2, revision 6) as the request asks for it,
// and what the job record keeps of it (the permissions, and the passwords sealed, never plaintext).
import { z } from "@hono/zod-openapi";
import { saslPrep } from "@pdfsmaller/pdf-encrypt";

/** Revision 6 uses at most 127 bytes of a password (UTF-8, after SASLprep); a longer one is refused, not cut. */
export const MAX_PASSWORD_BYTES = 127;

/** Why SASLprep refuses a password, in words that quote none of it (the library's messages name the character). */
const SASLPREP_REFUSALS: Record<string, string> = {
	PROHIBITED_PASSWORD_CHARACTER: "contains a character SASLprep (RFC 4013) prohibits, such as a control or private-use character",
	UNSTABLE_PASSWORD_CHARACTER: "contains a character whose normalisation changed after Unicode 3.2, which readers would not agree on",
	BIDIRECTIONAL_PASSWORD: "mixes right-to-left and left-to-right text in a way SASLprep (RFC 4013) prohibits",
};

/** The password as revision 6 hashes it: SASLprep, then UTF-8. Throws what `saslPrep` throws. */
export function passwordBytes(password: string): Uint8Array {
	return new TextEncoder().encode(saslPrep(password));
}

/** Why the password cannot be used, or null. Never quotes the password. */
export function passwordProblem(password: string): string | null {
	let bytes: Uint8Array;
	try {
		bytes = passwordBytes(password);
	} catch (err) {
		const code = err instanceof Error && "code" in err ? String(err.code) : "";
		return SASLPREP_REFUSALS[code] ?? "cannot be prepared with SASLprep (RFC 4013)";
	}
	if (bytes.byteLength === 0) return "is empty once prepared with SASLprep (RFC 4013)";
	if (bytes.byteLength > MAX_PASSWORD_BYTES) return `is ${bytes.byteLength} bytes in UTF-8 after SASLprep; at most ${MAX_PASSWORD_BYTES}`;
	return null;
}

const password = (description: string) =>
	z
		.string()
		.min(1)
		.max(MAX_PASSWORD_BYTES)
		.superRefine((value, ctx) => {
			const problem = passwordProblem(value);
			if (problem) ctx.addIssue({ code: "custom", message: `the password ${problem}` });
		})
		.openapi({ writeOnly: true, format: "password", description });

const allowed = (description: string) => z.boolean().optional().openapi({ default: true, description });

export const PRINT_PERMISSIONS = ["high", "low", "none"] as const;

/** What a reader lets someone who opened the file with the user password do. Each defaults to allowed. */
export const Permissions = z
	.strictObject({
		print: z
			.enum(PRINT_PERMISSIONS)
			.optional()
			.openapi({ default: "high", description: "high: print faithfully; low: a degraded print only; none: no printing" }),
		copy: allowed("Copy or extract text and graphics"),
		modify: allowed("Change the document other than by annotations, forms and assembly"),
		annotate: allowed("Add or change annotations, fill in form fields"),
		fillForms: allowed("Fill in form fields and sign, even with annotate false"),
		accessibility: allowed("Extract text and graphics for accessibility (screen readers)"),
		assemble: allowed("Insert, rotate or delete pages, make bookmarks and thumbnails"),
	})
	.openapi("EncryptPermissions");
export type Permissions = z.infer<typeof Permissions>;

export const EncryptOptions = z
	.strictObject({
		userPassword: password(
			`Opens the document (with the permissions below). A secret: sealed at rest, never shown. 1 to ${MAX_PASSWORD_BYTES} bytes in UTF-8 after SASLprep.`,
		),
		ownerPassword: password(
			`Opens the document with every permission. A secret like userPassword. Default: a random one nobody is told, so nobody holds every permission.`,
		).optional(),
		permissions: Permissions.optional(),
	})
	.openapi("EncryptOptions", {
		description: "AES-256 encryption (ISO 32000-2, revision 6), applied last; the passwords never appear in the job, its events or the logs",
	});
export type EncryptOptions = z.infer<typeof EncryptOptions>;

/** The passwords as the record keeps them sealed (src/jobs/secrets.ts). */
export const EncryptPasswords = z.strictObject({ userPassword: z.string(), ownerPassword: z.string().optional() });
export type EncryptPasswords = z.infer<typeof EncryptPasswords>;

/** What the job record keeps of `pdf.encrypt`: the permissions, and the passwords sealed until the job ends (then null). */
export const StoredEncrypt = z.strictObject({
	permissions: Permissions,
	sealedPasswords: z.string().nullable(),
});
export type StoredEncrypt = z.infer<typeof StoredEncrypt>;
