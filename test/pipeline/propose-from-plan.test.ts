import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../scripts/config.ts';
import { proposeFromPlan } from '../../scripts/pipeline/propose-command.ts';
import { readPlanFile, runPipeline } from '../../scripts/pipeline/run.ts';
import { stableStringify } from '../../scripts/util/stable-json.ts';
import { recordedDataDir, removeDir } from './recorded-data.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = await recordedDataDir();
}, 60_000);
afterAll(async () => removeDir(dataDir));

const now = new Date('2026-11-27T12:00:00Z');
const log = () => {};

describe('proposing from the plan a run wrote', { timeout: 60_000 }, () => {
  it('keeps one-time status changes that planning again would no longer see', async () => {
    const reportsDir = join(dataDir, 'reports');
    await runPipeline({ dataDir, reportsDir, asOf: '2020-07-12', now, offline: true, log });
    const run = await runPipeline({ dataDir, reportsDir, asOf: '2026-11-27', now, offline: true, log });
    const statusIds = run.result.plan.proposals.filter((p) => p.kind === 'status-change').map((p) => p.companyId);
    expect(statusIds).toEqual(['accenture', 'akima', 'caci', 'deloitte', 'general-dynamics', 'mvm', 'peraton']);
    const planFile = join(dataDir, 'plan.json');
    await writeFile(planFile, `${stableStringify(run.result.plan, 2)}\n`);

    // The state has moved on: a fresh plan has no transitions left.
    const again = await runPipeline({ dataDir, reportsDir, asOf: '2026-11-27', now, offline: true, log });
    expect(again.result.plan.proposals.filter((p) => p.kind === 'status-change')).toEqual([]);

    const plan = await readPlanFile(planFile);
    const result = await proposeFromPlan({ plan, dataDir, reportsDir, config: await loadConfig(dataDir), dryRun: true, github: {}, log });
    expect(result.summary).toContain('dry run:');
    const branches = await readdir(join(reportsDir, 'proposals', 'icewatch'));
    expect(branches.filter((b) => b.startsWith('status-')).sort()).toEqual(statusIds.map((id) => `status-${id}`));
  });

  it('refuses a file that is not a plan, naming it', async () => {
    const file = join(dataDir, 'not-a-plan.json');
    await writeFile(file, JSON.stringify({ asOf: '2026-11-27', proposals: [{ kind: 'delete-everything' }] }));
    await expect(readPlanFile(file)).rejects.toThrow(/not-a-plan\.json: not a plan written by `icewatch run --plan-out`: proposals\.0\.kind/);
  });

  it('validates the plan with its schema and allows only registry and evidence paths (issue 15, item 11)', async () => {
    const reportsDir = join(dataDir, 'reports-forged');
    const run = await runPipeline({ dataDir, reportsDir, asOf: '2026-11-27', now, offline: true, log });
    const add = run.result.plan.proposals.find((p) => p.kind === 'add-company');
    expect(add).toBeDefined();
    const forge = async (name: string, change: (p: Record<string, any>) => void): Promise<string> => {
      const plan = JSON.parse(stableStringify(run.result.plan)) as { proposals: Array<Record<string, any>> };
      change(plan.proposals.find((p) => p.kind === 'add-company')!);
      const file = join(dataDir, name);
      await writeFile(file, JSON.stringify(plan));
      return file;
    };
    const traversal = await forge('traversal.json', (p) => (p.companyId = '../../../../tmp/x'));
    await expect(readPlanFile(traversal)).rejects.toThrow(/proposals\.\d+\.companyId: expected a registry id/);
    const pkg = await forge('pkg.json', (p) => (p.registryFile.path = 'package.json'));
    await expect(readPlanFile(pkg)).rejects.toThrow(/may only write data\/registry\/companies\/.*not "package\.json"/);
    const workflow = await forge('workflow.json', (p) => (p.evidenceFile.path = '.github/workflows/x.yml'));
    await expect(readPlanFile(workflow)).rejects.toThrow(/not "\.github\/workflows\/x\.yml"/);
    const other = await forge('other.json', (p) => (p.registryFile.path = 'data/registry/companies/palantir.yaml'));
    await expect(readPlanFile(other)).rejects.toThrow(/may only write/);
  });
});
