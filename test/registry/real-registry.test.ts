import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { registryJsonSchemas } from '../../scripts/registry/json-schema.ts';
import { loadRegistry, parseCompanyYaml } from '../../scripts/registry/load.ts';
import { formatProblem } from '../../scripts/registry/validate.ts';
import { renderCompanyYaml } from '../../scripts/registry/write.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const DATA = fileURLToPath(new URL('../../data', import.meta.url));

describe('the real data/registry', () => {
  it('loads without errors, one company per file', async () => {
    const { registry, problems } = await loadRegistry(DATA);
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors.map(formatProblem)).toEqual([]);
    const files = (await readdir(join(DATA, 'registry', 'companies'))).filter((f) => f.endsWith('.yaml'));
    expect(registry.companies.map((c) => `${c.id}.yaml`)).toEqual(files.sort());
  });

  it('every company satisfies the published JSON Schema and survives a write → load round trip', async () => {
    const { registry } = await loadRegistry(DATA);
    const schema = JSON.parse(registryJsonSchemas().find((f) => f.fileName === 'company.schema.json')!.content) as object;
    const ajv = new Ajv2020({ allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    for (const company of registry.companies) {
      expect(validate(company), `${company.id}: ${JSON.stringify(validate.errors)}`).toBe(true);
      const { entry, problems } = parseCompanyYaml(renderCompanyYaml(company), `${company.id}.yaml`);
      expect(problems, company.id).toEqual([]);
      expect(entry.company).toEqual(company);
    }
  });
});
