// Worker side: what a Node-side server of global setup answers a test (the shapes are in common/servers.ts).

/** The JSON `url` on one of the Node-side servers answers (GET unless `init` says otherwise); any status but 200 fails loudly. */
export async function serverJson<T>(url: string, init?: RequestInit): Promise<T> {
	const res = await fetch(url, init);
	if (res.status !== 200) throw new Error(`${init?.method ?? "GET"} ${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
	// The servers are the suite's own (test/support/node), not a boundary of the Worker: their shapes are declared, not parsed.
	return (await res.json()) as T;
}
