// A URL page without a <title> is titled after the filename in the PDF, never host:port/path.
import { describe, expect, inject, it } from "vitest";
import { postRender } from "../support/api";
import { readPdfInfo } from "../support/pdf-info";

describe("PDF title of a URL page", () => {
	it("an untitled URL page takes the filename; a titled one keeps its <title>", async () => {
		const untitled = await postRender({ url: `${inject("fixtureOrigin")}/missing`, page: { failOnHttpError: false }, filename: "from-url.pdf", async: false });
		expect(untitled.status).toBe(200);
		expect((await readPdfInfo(await untitled.arrayBuffer())).Title).toBe("from-url");
		const titled = await postRender({ url: `${inject("fixtureOrigin")}/hello`, async: false });
		expect((await readPdfInfo(await titled.arrayBuffer())).Title).toBe("hello");
	});
});
