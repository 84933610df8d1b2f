// `include`, `render` and `layout` as LiquidJS has them, counted: nesting deeper than the budget stops
// before the next template is even looked up, so a template that includes itself ends by depth.
import { type Context, type Emitter, IncludeTag, LayoutTag, type Liquid, RenderTag } from "liquidjs";
import type { RenderBudget } from "./budget";

function* nested<T>(budget: RenderBudget, body: () => Generator<unknown, T, unknown>): Generator<unknown, T, unknown> {
	budget.enterInclude();
	try {
		return yield* body();
	} finally {
		budget.leaveInclude();
	}
}

/** Registers the nesting tags of `liquid`, each counting its depth against `budget`. */
export function guardIncludes(liquid: Liquid, budget: RenderBudget): void {
	class Include extends IncludeTag {
		override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
			yield* nested(budget, () => super.render(ctx, emitter));
		}
	}
	class Render extends RenderTag {
		override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
			yield* nested(budget, () => super.render(ctx, emitter));
		}
	}
	class Layout extends LayoutTag {
		override *render(ctx: Context, emitter: Emitter): Generator<unknown, unknown, unknown> {
			return yield* nested(budget, () => super.render(ctx, emitter));
		}
	}
	liquid.registerTag("include", Include);
	liquid.registerTag("render", Render);
	liquid.registerTag("layout", Layout);
}
