// Common: imported on both sides (Node and workerd), so it imports neither node:* nor cloudflare:* modules.
// Secrets the test Workers run with: several tenants, so isolation, rate limits and listings can be checked apart.
export const TEST_KEYS = {
	acme: "test_key_acme",
	globex: "test_key_globex",
	burst: "test_key_burst",
	lister: "test_key_lister",
	previews: "test_key_previews",
} as const;

// tenant:sha256(key) for each key above
export const TEST_BINDINGS = {
	API_KEYS:
		"acme:c6f34604f0bdec6ab2b4c1e07019ca0e891259f730538512d35e35f47df1743d,globex:488428781293c9221a83e15f91f1187de66aefaab8a2491214bb3e5be9bd7252,burst:b124a2045edf11b46e9ad3b1fdcb85a8612188dca8fe2c2598147c22e6af96ad,lister:35a192d2211963b57b764360a1592db5584a40c3bb0325cdb0a15bb837f937e6,previews:e0b4c6a46be01c1a3177d552059ffa61932ee3774f822274176fb2981abfab96",
	SIGNING_SECRET: "test-signing-secret",
	SIGNING_SECRET_PREVIOUS: "",
};
