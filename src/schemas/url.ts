// The one shape of every outbound URL a caller gives us (render url, webhook, destinations).
import { z } from "@hono/zod-openapi";

/** An http(s) URL: the address policy checks it further at request time (URL_NOT_ALLOWED). */
export const httpUrl = (max: number) => z.string().min(1).max(max).openapi({ format: "uri", pattern: "^[Hh][Tt][Tt][Pp][Ss]?://" });
