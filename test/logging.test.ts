// Logs are structured JSON and never carry an API key, a secret or a link signature.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { tenantWebhookSecret } from "../src/webhooks/signing";
import { api, download, renderToEnd } from "./support/worker/api";
import { TEST_KEYS } from "./support/common/bindings";
import { captureLogs } from "./support/worker/logs";

describe("logs", () => {
	it("carry job id, tenant, phase and durations, and no credential", async () => {
		const logs = captureLogs();
		const { lines } = logs;
		try {
			const job = await renderToEnd({ html: "<p>logged</p>" });
			await download(job.document!.url);
			await download(job.document!.url!.replace(/signature=./, "signature=X"));
			await api("/v1/webhooks/secret");
			await api(`/v1/renders/${job.id}`, { key: "wrong-key-value" });
			const signature = new URL(job.document!.url!).searchParams.get("signature")!;
			const secrets = [TEST_KEYS.acme, "wrong-key-value", signature, env.SIGNING_SECRET, await tenantWebhookSecret(env.SIGNING_SECRET, "acme")];
			for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);

			const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
			expect(records.find((r) => r.msg === "request" && r.path === `/v1/files/${job.id}` && r.status === 200)).toMatchObject({
				durationMs: expect.any(Number),
			});
			expect(records.find((r) => r.msg === "request" && r.method === "POST")).toMatchObject({ tenantId: "acme", status: 202 });
			expect(records.find((r) => r.msg === "render succeeded" && r.jobId === job.id)).toMatchObject({
				tenantId: "acme",
				renderMs: expect.any(Number),
				storeMs: expect.any(Number),
			});
		} finally {
			logs.restore();
		}
	});
});
