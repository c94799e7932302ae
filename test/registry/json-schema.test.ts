import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { registryJsonSchemas, SCHEMA_BASE_URL } from '../../scripts/registry/json-schema.ts';
import { companySchema, dismissedFileSchema } from '../../scripts/registry/schema.ts';
import { ownFixture } from '../helpers/shared-fixtures.ts';

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

function compile(fileName: string) {
  const file = registryJsonSchemas().find((f) => f.fileName === fileName)!;
  const schema = JSON.parse(file.content) as Record<string, unknown>;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return { schema, validate: ajv.compile(schema) };
}

const validCompany = async (name: string): Promise<unknown> =>
  parse(await readFile(ownFixture(`registry/valid/registry/companies/${name}`), 'utf8'));

describe('registryJsonSchemas', () => {
  it('produces the two schema files, pretty, with a trailing newline, byte-identical between calls', () => {
    const first = registryJsonSchemas();
    expect(first.map((f) => f.fileName)).toEqual(['company.schema.json', 'dismissed.schema.json']);
    expect(registryJsonSchemas()).toEqual(first);
    for (const f of first) {
      expect(f.content.endsWith('}\n')).toBe(true);
      expect(f.content).toBe(`${JSON.stringify(JSON.parse(f.content), null, 2)}\n`);
    }
  });

  it('declares draft 2020-12 and an $id under the published schema URL', () => {
    const { schema } = compile('company.schema.json');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(`${SCHEMA_BASE_URL}company.schema.json`);
    expect(SCHEMA_BASE_URL).toBe('https://icewatch.github.io/icewatch/v1/schema/');
    expect(compile('dismissed.schema.json').schema.$id).toBe('https://icewatch.github.io/icewatch/v1/schema/dismissed.schema.json');
  });

  it('sorts keys at every level', () => {
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(walk);
      if (value && typeof value === 'object') {
        const keys = Object.keys(value);
        expect(keys).toEqual([...keys].sort());
        Object.values(value).forEach(walk);
      }
    };
    walk(compile('company.schema.json').schema);
  });

  it('describes the YAML a person writes: defaulted fields are optional, unknown keys refused', () => {
    const { schema } = compile('company.schema.json');
    expect(schema.required).toEqual(['id', 'name']);
    expect(schema.additionalProperties).toBe(false);
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties)).toEqual(Object.keys(companySchema.shape).sort());
    expect(properties.roles).toMatchObject({ default: ['vendor'], minItems: 1 });
  });
});

describe('company.schema.json with ajv', () => {
  it('accepts every company of the valid fixture registry', async () => {
    const { validate } = compile('company.schema.json');
    for (const name of ['northwind.yaml', 'northwind-federal.yaml', 'contoso-resale.yaml']) {
      const company = await validCompany(name);
      expect(validate(company), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      // And zod agrees.
      expect(companySchema.safeParse(company).success).toBe(true);
    }
  });

  it.each([
    ['an http evidence link', (c: Record<string, any>) => (c.evidence[0].url = 'http://watchdog.example.org/list'), '/evidence/0/url', 'pattern'],
    ['a javascript: link', (c: Record<string, any>) => (c.website = 'javascript:alert(1)'), '/website', 'pattern'],
    ['an unknown key', (c: Record<string, any>) => (c.alias = ['x']), '', 'additionalProperties'],
    ['an impossible date', (c: Record<string, any>) => (c.partnership[0].since = '2021-02-29'), '/partnership/0/since', 'format'],
    ['a missing evidence field', (c: Record<string, any>) => delete c.evidence[0].summary, '/evidence/0', 'required'],
    ['a non-kebab id', (c: Record<string, any>) => (c.id = 'North Wind'), '/id', 'pattern'],
    ['an unknown role', (c: Record<string, any>) => (c.roles = ['distributor']), '/roles/0', 'enum'],
    ['an unquoted DUNS (a number)', (c: Record<string, any>) => (c.identifiers.duns[0].value = 12345678), '/identifiers/duns/0/value', 'type'],
  ])('rejects %s, as zod does', async (_label, mutate, instancePath, keyword) => {
    const { validate } = compile('company.schema.json');
    const company = (await validCompany('northwind.yaml')) as Record<string, any>;
    mutate(company);
    expect(validate(company)).toBe(false);
    expect(validate.errors!.map((e) => [e.instancePath, e.keyword])).toContainEqual([instancePath, keyword]);
    expect(companySchema.safeParse(company).success).toBe(false);
  });
});

describe('dismissed.schema.json with ajv', () => {
  it('accepts the fixture dismissed file and an empty one, rejects a bad entry', async () => {
    const { validate } = compile('dismissed.schema.json');
    const dismissed = parse(await readFile(ownFixture('registry/valid/registry/dismissed.yaml'), 'utf8')) as Record<string, any>;
    expect(validate(dismissed)).toBe(true);
    expect(dismissedFileSchema.safeParse(dismissed).success).toBe(true);
    expect(validate({})).toBe(true);
    dismissed.dismissed[0].date = 'May 1, 2024';
    expect(validate(dismissed)).toBe(false);
    expect(validate.errors!.map((e) => [e.instancePath, e.keyword])).toContainEqual(['/dismissed/0/date', 'format']);
  });
});
