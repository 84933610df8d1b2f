// Where a template's text goes: the output, or a string being built (`capture`, a dynamic include
// name). Each write is measured before it is appended, so the buffer never grows past its budget.
import type { Emitter } from "liquidjs";
import type { RenderBudget } from "./budget";
import { textBytes, textOf, utf8Bytes } from "./text-size";

export class CountingSink implements Emitter {
	buffer = "";
	private bytes = 0;

	constructor(
		private readonly budget: RenderBudget,
		private readonly kind: "output" | "string",
	) {}

	write(html: unknown): void {
		const room = this.kind === "output" ? this.budget.limits.outputBytes - this.bytes : this.budget.limits.stringBytes - this.bytes;
		// An array is measured before it is joined: it may hold one big string many times over.
		const text = typeof html === "string" ? html : textBytes(html, room, (n) => this.budget.step(1 + (n >>> 4))) > room ? null : textOf(html);
		const bytes = text === null ? room + 1 : utf8Bytes(text);
		if (this.kind === "output") this.budget.writeOutput(this.bytes, bytes);
		else this.budget.buildString(this.bytes + bytes, bytes);
		this.bytes += bytes;
		this.buffer += text;
	}
}
