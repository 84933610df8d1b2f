// Secrets the test Workers run with: two tenants, so isolation can be checked.
export const TEST_KEYS = { acme: "test_key_acme", globex: "test_key_globex" } as const;

// sha256("test_key_acme"), sha256("test_key_globex")
export const TEST_BINDINGS = {
	API_KEYS: "acme:c6f34604f0bdec6ab2b4c1e07019ca0e891259f730538512d35e35f47df1743d,globex:488428781293c9221a83e15f91f1187de66aefaab8a2491214bb3e5be9bd7252",
	SIGNING_SECRET: "test-signing-secret",
	SIGNING_SECRET_PREVIOUS: "",
};
