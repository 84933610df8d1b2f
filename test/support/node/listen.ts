// Node side: a test server on a port the OS hands out (127.0.0.1 only), and a close that does not
// wait on idle keep-alive connections. The one place the servers of global setup start listening.
import type { Server as HttpServer } from "node:http";
import type { AddressInfo, Server } from "node:net";

export interface Listening {
	origin: string;
	close: () => Promise<void>;
}

/** Listens on a free port of 127.0.0.1 (any server: HTTP or raw TCP) and returns the port. */
export async function listenPort(server: Server): Promise<number> {
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	return (server.address() as AddressInfo).port;
}

export async function listenLocal(server: HttpServer): Promise<Listening> {
	// Node closes a kept-alive connection after 5 idle seconds; workerd may send its next request on
	// that very socket as it closes ("Network connection lost" under load). Keep idle sockets open
	// longer than a test waits between requests; close() below ends them all anyway.
	server.keepAliveTimeout = 120_000;
	const port = await listenPort(server);
	return {
		origin: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
