/**
 * The plan file `propose --plan` reads came from disk, so it is checked like any outside input before
 * anything is rendered or committed: company ids are the registry's kebab-case ids (never a path), and a
 * proposal may only touch that company's registry entry and evidence file. A plan naming
 * `../../../../tmp/x`, `package.json` or `.github/workflows/x.yml` is refused.
 */
import { z } from 'zod';
import { evidenceFileSchema } from './evidence-schema.ts';

export const COMPANY_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const companyId = z.string().max(80).regex(COMPANY_ID, 'expected a registry id (lowercase letters, digits and single hyphens)');
const REGISTRY_PATH = /^data\/registry\/companies\/([a-z0-9]+(?:-[a-z0-9]+)*)\.yaml$/;
const EVIDENCE_PATH = /^data\/registry\/evidence\/([a-z0-9]+(?:-[a-z0-9]+)*)\.json$/;
const file = z.strictObject({ path: z.string().max(200), content: z.string().max(5_000_000) });

const addCompany = z.looseObject({
  kind: z.literal('add-company'),
  companyId,
  name: z.string().min(1).max(300),
  confidence: z.number().min(0).max(1),
  registryFile: file,
  evidenceFile: file,
  evidence: evidenceFileSchema,
  evidenceHash: z.string().regex(/^[0-9a-f]{16}$/),
  newSinceDismissal: z.array(z.string()).optional(),
});

const statusChange = z.looseObject({
  kind: z.literal('status-change'),
  companyId,
  name: z.string().min(1).max(300),
  from: z.enum(['active', 'recent-obligations', 'ended', 'no-record']),
  to: z.enum(['active', 'recent-obligations', 'ended', 'no-record']),
  reason: z.string().max(2000),
  awards: z.array(z.unknown()),
  mentions: z.array(z.unknown()),
  evidenceHash: z.string().regex(/^[0-9a-f]{16}$/),
  files: z.array(file).max(2),
});

export const planFileSchema = z
  .looseObject({
    asOf: z.iso.date(),
    proposals: z.array(z.discriminatedUnion('kind', [addCompany, statusChange])).max(2000),
    sources: z.array(z.unknown()),
    candidates: z.array(z.unknown()),
    newAwards: z.array(z.unknown()),
    transitions: z.array(z.unknown()),
    listChanges: z.array(z.unknown()),
    reviewQueue: z.array(z.unknown()),
    unknownSources: z.array(z.string()).optional(),
    proposalsDeferred: z.number().int().nonnegative().optional(),
  })
  .superRefine((plan, ctx) => {
    plan.proposals.forEach((p, index) => {
      const files = p.kind === 'add-company' ? [p.registryFile, p.evidenceFile] : p.files;
      files.forEach((f, fileIndex) => {
        const own = REGISTRY_PATH.exec(f.path) ?? EVIDENCE_PATH.exec(f.path);
        if (!own || own[1] !== p.companyId) {
          ctx.addIssue({
            code: 'custom',
            path: ['proposals', index, p.kind === 'add-company' ? (fileIndex === 0 ? 'registryFile' : 'evidenceFile') : `files.${fileIndex}`, 'path'],
            message: `a proposal for ${p.companyId} may only write data/registry/companies/${p.companyId}.yaml or data/registry/evidence/${p.companyId}.json, not ${JSON.stringify(f.path.slice(0, 120))}`,
          });
        }
      });
      if (p.kind === 'add-company') {
        if (p.registryFile.path !== `data/registry/companies/${p.companyId}.yaml`) ctx.addIssue({ code: 'custom', path: ['proposals', index, 'registryFile', 'path'], message: 'the registry file of an add proposal is data/registry/companies/<companyId>.yaml' });
        if (p.evidenceFile.path !== `data/registry/evidence/${p.companyId}.json`) ctx.addIssue({ code: 'custom', path: ['proposals', index, 'evidenceFile', 'path'], message: 'the evidence file of an add proposal is data/registry/evidence/<companyId>.json' });
        if (p.evidence.candidateId !== p.companyId) ctx.addIssue({ code: 'custom', path: ['proposals', index, 'evidence', 'candidateId'], message: 'the evidence names another company' });
      }
    });
  });
