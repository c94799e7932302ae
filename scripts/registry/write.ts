/**
 * Deterministic YAML for one company, used for pull-request proposals: keys in the order the zod
 * schema declares them (so a generated file reads like a hand-written one and diffs stay small),
 * no anchors, no line folding.
 */
import { z } from 'zod';
import { stringify } from 'yaml';
import { companySchema, type Company, type CompanyInput } from './schema.ts';

type AnySchema = z.core.$ZodType;

/** Strips optional/default/nullable/pipe wrappers down to the schema that describes the value. */
export function unwrapSchema(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) {
      current = current.unwrap();
    } else if (current instanceof z.ZodPipe) {
      current = current.in;
    } else {
      return current;
    }
  }
}

/** The schema describing the value at `path` (array indexes are numbers), if the path exists in it. */
export function schemaAt(schema: AnySchema, path: readonly (string | number)[]): AnySchema | undefined {
  let current: AnySchema | undefined = unwrapSchema(schema);
  for (const segment of path) {
    if (current instanceof z.ZodObject && typeof segment === 'string') {
      const shape = current.shape as Record<string, AnySchema>;
      current = Object.hasOwn(shape, segment) ? unwrapSchema(shape[segment]!) : undefined;
    } else if (current instanceof z.ZodArray && typeof segment === 'number') {
      current = unwrapSchema(current.element);
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/** Keys an object schema allows, in declaration order. */
export function objectKeys(schema: AnySchema | undefined): string[] | undefined {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
}

function orderBySchema(value: unknown, schema: AnySchema): unknown {
  const inner = unwrapSchema(schema);
  if (Array.isArray(value)) {
    return inner instanceof z.ZodArray ? value.map((item) => orderBySchema(item, inner.element)) : value;
  }
  if (value !== null && typeof value === 'object' && inner instanceof z.ZodObject) {
    const shape = inner.shape as Record<string, AnySchema>;
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      if (source[key] !== undefined) out[key] = orderBySchema(source[key], shape[key]!);
    }
    return out;
  }
  return value;
}

/**
 * YAML for `company` that loads back through loadRegistry to the same value. Throws when the
 * company does not satisfy the schema: a proposal must never carry a file the validator rejects.
 */
export function renderCompanyYaml(company: CompanyInput | Company): string {
  const result = companySchema.safeParse(company);
  if (!result.success) {
    throw new Error(`cannot render company ${JSON.stringify(company.id)}: ${z.prettifyError(result.error)}`);
  }
  return stringify(orderBySchema(result.data, companySchema), {
    indent: 2,
    lineWidth: 0,
    aliasDuplicateObjects: false,
  });
}
