/**
 * JSON Schemas for the registry YAML, generated from the zod schema (the single source of truth)
 * and published beside the data so editors and consumers can validate without running our code.
 */
import { z } from 'zod';
import { companySchema, dismissedFileSchema } from './schema.ts';

export const SCHEMA_BASE_URL = 'https://icewatch.github.io/icewatch/v1/schema/';

export interface GeneratedFile {
  fileName: string;
  content: string;
}

interface SchemaSpec {
  fileName: string;
  schema: z.core.$ZodType;
  title: string;
  description: string;
}

const SPECS: readonly SchemaSpec[] = [
  {
    fileName: 'company.schema.json',
    schema: companySchema,
    title: 'icewatch registry company',
    description:
      'One curated company, as written in data/registry/companies/<id>.yaml. The loader also checks rules a JSON Schema cannot express: id equals the file name, UEI/DUNS/CAGE shapes, parent links, names and identifiers unique across companies.',
  },
  {
    fileName: 'dismissed.schema.json',
    schema: dismissedFileSchema,
    title: 'icewatch dismissed candidates',
    description: 'data/registry/dismissed.yaml: candidates a maintainer rejected, which the pipeline never proposes again.',
  },
];

/** Recursively sorted keys (arrays keep their order, except `required`, which is a set). */
function canonical(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v));
    return key === 'required' && items.every((v) => typeof v === 'string')
      ? [...(items as string[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      : items;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      out[k] = canonical((value as Record<string, unknown>)[k], k);
    }
    return out;
  }
  return value;
}

export function toRegistryJsonSchema(spec: { schema: z.core.$ZodType; fileName: string; title: string; description: string }): Record<string, unknown> {
  // io: 'input' describes what a person writes: fields with defaults (roles, evidence) are optional.
  const generated = z.toJSONSchema(spec.schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' });
  return canonical({
    ...generated,
    $id: `${SCHEMA_BASE_URL}${spec.fileName}`,
    title: spec.title,
    description: spec.description,
  }) as Record<string, unknown>;
}

/** The schema files to publish under data/published/v1/schema/, byte-identical between runs. */
export function registryJsonSchemas(): GeneratedFile[] {
  return SPECS.map((spec) => ({
    fileName: spec.fileName,
    content: `${JSON.stringify(toRegistryJsonSchema(spec), null, 2)}\n`,
  }));
}
