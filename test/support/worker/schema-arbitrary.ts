// Worker side: runs inside workerd, imported by the tests.
// fast-check arbitraries from the JSON Schemas of the published OpenAPI document: values a schema
// accepts, and mutations of such a value that it refuses. Covers the keywords the document uses
// ($ref, oneOf/anyOf, allOf of if/then conditionals on a required key, enum/const, type,
// properties/required/additionalProperties, propertyNames, maxProperties, min/max, lengths, pattern,
// format uri and password, items/maxItems/contains, the empty schema) and fails loudly on others.
import fc from "fast-check";

export type Schema = boolean | SchemaObject;
export interface SchemaObject {
	$ref?: string;
	type?: string;
	enum?: unknown[];
	const?: unknown;
	oneOf?: Schema[];
	anyOf?: Schema[];
	allOf?: SchemaObject[];
	if?: SchemaObject;
	then?: SchemaObject;
	properties?: Record<string, Schema>;
	required?: string[];
	additionalProperties?: Schema;
	propertyNames?: SchemaObject;
	maxProperties?: number;
	items?: Schema;
	contains?: Schema;
	maxItems?: number;
	minItems?: number;
	minimum?: number;
	maximum?: number;
	minLength?: number;
	maxLength?: number;
	pattern?: string;
	format?: string;
}

/** Generated strings stay short: the limits themselves are probed by the mutations. */
const MAX_GENERATED_LENGTH = 24;
/** Absolute URLs on public hosts, so the address policy (URL_NOT_ALLOWED) never applies to a valid value. */
const PUBLIC_URLS = ["https://example.com/", "https://example.org/invoice/42", "https://www.example.net/a?b=c"];

export class SchemaSet {
	constructor(private readonly document: unknown) {}

	/** Follows local $refs ("#/components/schemas/X"). */
	resolve(schema: Schema): Schema {
		let current = schema;
		for (let hops = 0; typeof current === "object" && current.$ref && hops < 16; hops++) {
			let target: unknown = this.document;
			for (const part of current.$ref.replace(/^#\//, "").split("/"))
				target = (target as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
			current = target as Schema;
		}
		return current;
	}

	/** A value `schema` accepts. */
	valid(schema: Schema): fc.Arbitrary<unknown> {
		const s = this.resolve(schema);
		if (s === true) return fc.constant("anything");
		if (s === false) throw new Error("nothing matches the schema false");
		// The empty schema accepts any JSON value.
		if (Object.keys(s).length === 0) return fc.jsonValue({ maxDepth: 2 });
		if (s.oneOf && s.type === "object") return fc.constantFrom(...s.oneOf).chain((branch) => this.valid(this.merge({ ...s, oneOf: undefined }, branch)));
		if (s.allOf?.length && s.type === "object") {
			const arbitrary = this.conditional(s, s.allOf);
			if (!arbitrary) throw new Error("schema-arbitrary: no combination of the allOf conditions can hold");
			return arbitrary;
		}
		if (s.oneOf || s.anyOf) return fc.oneof(...(s.oneOf ?? s.anyOf ?? []).map((b) => this.valid(b)));
		if (s.const !== undefined) return fc.constant(s.const);
		if (s.enum) return fc.constantFrom(...s.enum);
		switch (s.type) {
			case "string":
				return this.string(s);
			case "integer":
				return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
			case "number":
				return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
			case "boolean":
				return fc.boolean();
			case "array":
				return this.array(s);
			case "object":
				return this.object(s);
			default:
				throw new Error(`schema-arbitrary: unsupported schema ${JSON.stringify(s).slice(0, 200)}`);
		}
	}

	/** Up to 3 items; with `contains`, the first is one that matches it (as an item too). */
	private array(s: SchemaObject): fc.Arbitrary<unknown[]> {
		const max = Math.min(s.maxItems ?? 3, 3);
		if (s.contains === undefined) return fc.array(this.valid(s.items ?? true), { minLength: s.minItems ?? 0, maxLength: max });
		const rest = fc.array(this.valid(s.items ?? true), { minLength: Math.max(0, (s.minItems ?? 0) - 1), maxLength: max - 1 });
		return fc.tuple(this.valid(this.merge(s.items ?? true, s.contains)), rest).map(([first, others]) => [first, ...others]);
	}

	private string(s: SchemaObject): fc.Arbitrary<string> {
		if (s.format === "uri") return fc.tuple(fc.constantFrom(...PUBLIC_URLS), fc.stringMatching(/^[a-z0-9]{0,8}$/)).map(([base, tail]) => base + tail);
		const min = s.minLength ?? 0;
		const max = Math.max(min, Math.min(s.maxLength ?? MAX_GENERATED_LENGTH, MAX_GENERATED_LENGTH));
		// A password's SASLprep rules (stated in its description) are no JSON Schema: printable ASCII passes them all.
		if (s.format === "password")
			return fc.string({ minLength: min, maxLength: max, unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });
		const base = s.pattern ? fc.stringMatching(new RegExp(s.pattern)) : fc.string({ minLength: min, maxLength: max, unit: "grapheme" });
		return base.filter((v) => v.length >= min && v.length <= (s.maxLength ?? Number.POSITIVE_INFINITY));
	}

	private object(s: SchemaObject): fc.Arbitrary<Record<string, unknown>> {
		const properties = Object.entries(s.properties ?? {}).filter(([, p]) => p !== false);
		const fixed = fc.record(Object.fromEntries(properties.map(([k, p]) => [k, this.valid(p)])), {
			requiredKeys: (s.required ?? []).filter((k) => s.properties?.[k] !== false),
		});
		const extra = s.additionalProperties;
		if (!extra || properties.length > 0) return fixed;
		// Where the document sets no key rules, any key and any number of keys must do: probe that.
		const key = s.propertyNames ? this.string({ type: "string", ...s.propertyNames }) : fc.string({ maxLength: 80 });
		return fc.dictionary(key, this.valid(extra), { maxKeys: s.maxProperties ?? 24 });
	}

	/**
	 * allOf of conditionals `{ if: { required: [key] }, then }`, one at a time: either the key is
	 * left out, or it is required and `then` is laid over the schema. Combinations that cannot hold
	 * (two thens that contradict each other) are dropped; null when none can.
	 */
	private conditional(s: SchemaObject, rules: SchemaObject[]): fc.Arbitrary<unknown> | null {
		const [rule, ...rest] = rules;
		if (!rule) return this.satisfiable(s) ? this.valid(s) : null;
		const key = rule.if?.required?.length === 1 ? rule.if.required[0] : undefined;
		const onlyPresence = Object.keys(rule.if ?? {}).every(
			(k) => k === "required" || (k === "properties" && Object.keys(rule.if?.properties ?? {}).join() === key),
		);
		if (key === undefined || !rule.then || !onlyPresence) {
			throw new Error(`schema-arbitrary: unsupported allOf entry ${JSON.stringify(rule).slice(0, 200)}`);
		}
		const base: SchemaObject = { ...s, allOf: undefined };
		const options: Array<fc.Arbitrary<unknown> | null> = [];
		if (!base.required?.includes(key)) options.push(this.conditional({ ...base, properties: { ...base.properties, [key]: false } }, rest));
		if (base.properties?.[key] !== false) {
			const withKey = this.merge(base, { ...rule.then, required: [...(rule.then.required ?? []), key] });
			if (typeof withKey === "object") options.push(this.conditional(withKey, rest));
		}
		const possible = options.filter((o): o is fc.Arbitrary<unknown> => o !== null);
		return possible.length ? fc.oneof(...possible) : null;
	}

	/** Whether every required key of an object schema can still be present. */
	private satisfiable(s: SchemaObject): boolean {
		return (s.required ?? []).every((k) => s.properties?.[k] !== false);
	}

	/** `base` with the constraints of a oneOf branch laid over it (properties merged, required joined). */
	merge(base: Schema, branch: Schema): Schema {
		const b = this.resolve(branch);
		const a = this.resolve(base);
		if (typeof a !== "object" || typeof b !== "object") return b === false ? false : a;
		const properties: Record<string, Schema> = { ...a.properties };
		for (const [k, p] of Object.entries(b.properties ?? {})) properties[k] = k in properties ? this.merge(properties[k] as Schema, p) : p;
		const items = a.items !== undefined && b.items !== undefined ? this.merge(a.items, b.items) : (a.items ?? b.items);
		const required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
		const merged: SchemaObject = { ...a, ...b, properties, items, required };
		// Two conditions that cannot both hold (a const outside the other's enum) match nothing.
		if (merged.const !== undefined && merged.enum && !merged.enum.includes(merged.const)) return false;
		if (a.const !== undefined && b.enum && !b.enum.includes(a.const)) return false;
		return merged;
	}

	/**
	 * Ways to break a valid `value` of `schema`, each one change deep inside it: a wrong type, a
	 * value outside an enum, a bound, a length or a pattern, an unknown key, a bad key, too many keys.
	 */
	invalid(schema: Schema, value: unknown): fc.Arbitrary<unknown> {
		const options = this.breakers(schema, value);
		if (options.length === 0) throw new Error("schema-arbitrary: nothing to break");
		return fc.constantFrom(...options).map((make) => make());
	}

	private breakers(schema: Schema, value: unknown): Array<() => unknown> {
		const s = this.resolve(schema);
		if (typeof s !== "object") return [];
		const out: Array<() => unknown> = [];
		if (s.type === "object" && value && typeof value === "object" && !Array.isArray(value)) {
			const obj = value as Record<string, unknown>;
			out.push(() => (Array.isArray(obj) ? "x" : 42));
			if (s.additionalProperties === false) out.push(() => ({ ...obj, zzUnknownField: 1 }));
			if (s.propertyNames?.maxLength !== undefined) out.push(() => ({ ...obj, ["k".repeat(s.propertyNames!.maxLength! + 1)]: "v" }));
			if (s.propertyNames?.pattern !== undefined) out.push(() => ({ ...obj, "bad key\n": "v" }));
			if (s.maxProperties !== undefined)
				out.push(() => ({ ...obj, ...Object.fromEntries(Array.from({ length: s.maxProperties! + 1 }, (_, i) => [`k${i}`, "v"])) }));
			for (const [k, v] of Object.entries(obj)) {
				const sub = s.properties?.[k] ?? s.additionalProperties;
				if (sub === undefined || typeof sub === "boolean") continue;
				for (const make of this.breakers(sub, v)) out.push(() => ({ ...obj, [k]: make() }));
			}
			for (const k of s.required ?? []) if (k in obj) out.push(() => Object.fromEntries(Object.entries(obj).filter(([key]) => key !== k)));
			return out;
		}
		if (s.type === "array" && Array.isArray(value)) {
			out.push(() => "not an array");
			if (s.maxItems !== undefined && s.maxItems <= 100 && value.length > 0) out.push(() => Array.from({ length: s.maxItems! + 1 }, () => value[0]));
			value.forEach((item, i) => {
				if (s.items !== undefined) for (const make of this.breakers(s.items, item)) out.push(() => value.map((x, j) => (j === i ? make() : x)));
			});
			return out;
		}
		if (s.enum) out.push(() => "__not_in_enum__");
		if (s.anyOf || s.oneOf) out.push(() => ({ neither: true }));
		if (s.type === "string") {
			out.push(() => 12345);
			if (s.maxLength !== undefined && s.maxLength <= 10_000) out.push(() => "a".repeat(s.maxLength! + 1));
			if (s.minLength) out.push(() => "");
			if (s.pattern || s.format === "uri") out.push(() => "\n no match \u0000");
		}
		if (s.type === "integer" || s.type === "number") {
			out.push(() => "12");
			if (s.type === "integer") out.push(() => 1.5);
			if (s.minimum !== undefined) out.push(() => s.minimum! - 1);
			if (s.maximum !== undefined) out.push(() => s.maximum! + 1);
		}
		if (s.type === "boolean") out.push(() => "true");
		return out;
	}
}
