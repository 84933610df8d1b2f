// Everything that ends a job's page phase early, as one promise page work is raced against.
import { RenderFailure } from "./errors";

/**
 * Everything that ends a job's page phase early: its deadline (`page.timeoutMs`, whatever the page
 * does), a renderer crash, or a main-frame navigation the address policy refused. Page work is raced
 * against it, so a page stuck in `while(true)` cannot hold the attempt: CDP calls into a busy
 * renderer never answer, but the race does. An explicit wait in progress names itself
 * (`waitingFor`), so a deadline that passes during it says which wait was not met.
 */
export class Tripwire {
	readonly startedAt = Date.now();
	private readonly deadline: number;
	private readonly timer: ReturnType<typeof setTimeout>;
	private fail!: (failure: RenderFailure) => void;
	private waiting: (() => string) | null = null;
	private ended = false;
	readonly tripped: Promise<never>;

	constructor(readonly ms: number) {
		this.deadline = this.startedAt + ms;
		this.tripped = new Promise<never>((_, reject) => {
			this.fail = reject;
		});
		this.tripped.catch(() => undefined);
		this.timer = setTimeout(() => this.trip(this.timeout()), ms);
	}

	private timeout(): RenderFailure {
		const what = this.waiting?.() ?? "the page did not finish";
		return new RenderFailure("RENDER_TIMEOUT", `${what} within timeoutMs (${this.ms} ms)`, true);
	}

	/** Names the explicit wait in progress (null when none is): the deadline's message names it. */
	waitingFor(failure: (() => string) | null): void {
		this.waiting = failure;
	}

	/** The first trip wins; later ones are ignored. */
	trip(failure: RenderFailure): void {
		clearTimeout(this.timer);
		this.ended = true;
		this.fail(failure);
	}

	/** Whether the page phase is over: tripped, or disarmed after it ended. Loops that poll the page stop then. */
	get over(): boolean {
		return this.ended;
	}

	/** `work`, unless the wire trips first; an abandoned `work` settles quietly later. */
	race<T>(work: Promise<T>): Promise<T> {
		work.catch(() => undefined);
		return Promise.race([work, this.tripped]);
	}

	/** Time left for a puppeteer option that takes a timeout; never 0, which would mean "no timeout". */
	remaining(): number {
		return Math.max(1, this.deadline - Date.now());
	}

	disarm(): void {
		clearTimeout(this.timer);
		this.ended = true;
	}
}
