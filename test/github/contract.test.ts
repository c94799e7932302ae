/**
 * The contract test: the bot and the test server against GitHub's REST description of
 * api.github.com (@octokit/openapi). One scenario drives every endpoint the bot's code calls; every
 * request it sent and every reply the server gave must conform (path, documented status, required
 * fields, types, enums, formats), and a reply with a required field removed must not.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../scripts/github/doctor.ts';
import { createGitHubClient } from '../../scripts/github/octokit.ts';
import type { GitHubClient } from '../../scripts/github/octokit.ts';
import { proposeAll } from '../../scripts/github/propose.ts';
import { appIdentity } from '../../scripts/pipeline/propose-command.ts';
import { description, githubContract } from '../helpers/github-openapi.ts';
import { createBareRepo, startFakeGitHub } from '../helpers/github-server.ts';
import type { BareRepo, FakeGitHub, LoggedCall } from '../helpers/github-server.ts';
import { addProposal, madeUpAward, realAwardees, realProposals } from './proposal-fixtures.ts';

const TOKEN = 'ghs_contractToken0123456789';
const OWNER = 'techqueria';
const REPO = 'icewatch-data';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

let bare: BareRepo;
let gh: FakeGitHub;
let calls: LoggedCall[];

/** Every `client.rest.<namespace>.<method>` the bot's code calls, as "METHOD /template". */
function endpointsInCode(client: GitHubClient): string[] {
  const files = [
    ...readdirSync(`${ROOT}scripts/github`).filter((f) => f.endsWith('.ts')).map((f) => `${ROOT}scripts/github/${f}`),
    `${ROOT}scripts/pipeline/propose-command.ts`,
  ];
  const found = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\.rest\.([a-zA-Z]+)\.([a-zA-Z]+)/g)) {
      const method = (client.rest as unknown as Record<string, Record<string, { endpoint: { DEFAULTS: { method: string; url: string } } }>>)[m[1]!]?.[m[2]!];
      if (!method) throw new Error(`${file}: client.rest.${m[1]}.${m[2]} is not an Octokit method`);
      found.add(`${method.endpoint.DEFAULTS.method} ${method.endpoint.DEFAULTS.url}`);
    }
  }
  return [...found].sort();
}

beforeAll(async () => {
  bare = await createBareRepo({ 'README.md': '# data\n' });
  gh = await startFakeGitHub({
    owner: OWNER,
    repo: REPO,
    token: TOKEN,
    bare,
    app: { id: 99, slug: 'icewatch-bot', publicKey: keys.publicKey, permissions: { contents: 'write', pull_requests: 'write', issues: 'write', metadata: 'read' } },
  });
  const client = await createGitHubClient({ token: TOKEN, baseUrl: gh.url, retryAfterBaseMs: 1, writeSpacingMs: 0 });
  const author = await appIdentity(client, 'icewatch-bot');
  const options = { owner: OWNER, repo: REPO, api: { token: TOKEN }, client, git: { remoteUrl: bare.path, author, env: { PATH: process.env.PATH } } };
  const proposals = realProposals(3);
  await proposeAll(proposals, options);
  // Newer evidence (pull request update), a maintainer's commit (comment), the rebuild label
  // (label removal), a closed proposal (dismissal) and a dashboard edit.
  const awardee = realAwardees()[0]!;
  const newer = (suffix: string) => addProposal({ id: proposals[0]!.companyId, name: awardee.name, awards: [...awardee.awards, madeUpAward(awardee.awards[0]!, suffix)] });
  await bare.commitAs({ name: 'Rosa', email: 'rosa@example.org' }, `icewatch/add-${proposals[0]!.companyId}`, { 'note.txt': 'x\n' }, 'note');
  await proposeAll([newer('0901'), ...proposals.slice(1)], options);
  gh.addPullLabel(1, 'icewatch: rebuild');
  gh.closePull(2);
  await proposeAll([newer('0902'), ...proposals.slice(1)], options);
  await runDoctor(client, { owner: OWNER, repo: REPO, baseUrl: gh.url, app: { issuer: '99', privateKey: keys.privateKey } });
  calls = gh.calls;
}, 120_000);

afterAll(async () => {
  await gh.close();
  await bare.remove();
});

describe('GitHub REST contract', () => {
  it('the scenario reaches every endpoint the bot’s code calls', async () => {
    const client = await createGitHubClient({ token: TOKEN });
    const contract = githubContract();
    const reached = new Set(calls.map((c) => {
      const op = contract.operationFor(c.method, c.path);
      return op ? `${op.method} ${op.template}` : `unknown ${c.method} ${c.path}`;
    }));
    const used = endpointsInCode(client);
    expect(used.length).toBeGreaterThanOrEqual(18);
    expect(used.filter((e) => !reached.has(e))).toEqual([]);
  });

  it('every request sent and every reply returned conforms to the description', () => {
    const contract = githubContract();
    const problems = calls.flatMap((c) => contract.check({ method: c.method, path: c.path, requestBody: c.body, status: c.status, responseBody: c.response }));
    expect(problems).toEqual([]);
    expect(calls.length).toBeGreaterThan(30);
  });

  it('fails when any required field is removed from any reply', () => {
    const contract = githubContract();
    const spec = description();
    let mutated = 0;
    for (const call of calls.filter((c) => c.status < 300 && c.response && typeof c.response === 'object')) {
      const op = contract.operationFor(call.method, call.path)!;
      const schema = op.operation.responses[String(call.status)]?.content?.['application/json']?.schema as { $ref?: string; items?: { $ref?: string }; allOf?: Array<{ $ref?: string }> } | undefined;
      const ref = schema?.$ref ?? schema?.items?.$ref ?? schema?.allOf?.[0]?.$ref;
      if (!ref) continue;
      const required = (spec.components.schemas[ref.split('/').pop()!] as { required?: string[] }).required ?? [];
      const body = structuredClone(call.response) as Record<string, unknown> | Array<Record<string, unknown>>;
      const target = Array.isArray(body) ? body[0] : body;
      if (!target) continue;
      for (const field of required) {
        const copy = structuredClone(body);
        delete (Array.isArray(copy) ? copy[0]! : copy)[field];
        const problems = contract.check({ method: call.method, path: call.path, requestBody: call.body, status: call.status, responseBody: copy });
        expect(problems.map((p) => p.message).join('\n'), `${call.method} ${call.path} without ${field}`).toContain(`(${field})`);
        mutated += 1;
      }
    }
    expect(mutated).toBeGreaterThan(100);
  });

  it('flags a wrong type, an undocumented status, an unknown endpoint and a field GitHub does not take', () => {
    const contract = githubContract();
    const pr = calls.find((c) => c.method === 'POST' && c.path.endsWith('/pulls') && c.status === 201)!;
    const wrongType = { ...(pr.response as object), number: 'one' };
    expect(contract.check({ method: 'POST', path: pr.path, requestBody: pr.body, status: 201, responseBody: wrongType }).map((p) => p.message)).toContain('/number must be integer');
    expect(contract.check({ method: 'POST', path: pr.path, requestBody: pr.body, status: 204, responseBody: undefined })[0]!.message).toMatch(/status 204 is not documented/);
    expect(contract.check({ method: 'GET', path: `/repos/${OWNER}/${REPO}/proposals`, status: 200, responseBody: [] })[0]!.message).toBe('no such endpoint in the GitHub REST description');
    expect(contract.check({ method: 'POST', path: pr.path, requestBody: { ...(pr.body as object), labels: ['x'] }, status: 201, responseBody: pr.response }).map((p) => p.message)).toEqual([
      'body field "labels" is not one of pulls/create\'s',
    ]);
    expect(contract.check({ method: 'GET', path: `/repos/${OWNER}/${REPO}/pulls?state=everything`, status: 200, responseBody: [] })[0]!.message).toMatch(/query state=everything: .*must be equal to one of the allowed values/);
  });
});
