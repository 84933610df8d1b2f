// Node side: a test server on a port the OS hands out (127.0.0.1 only), and a close that does not wait on idle keep-alive connections.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Listening {
	origin: string;
	close: () => Promise<void>;
}

export async function listenLocal(server: Server): Promise<Listening> {
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		origin: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
