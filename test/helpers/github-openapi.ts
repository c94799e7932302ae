/**
 * GitHub's own description of api.github.com (the `@octokit/openapi` package, generated from
 * github/rest-api-description), loaded once per test file. It gives the test server its golden
 * bodies (the description's examples, with the server's state written over them) and checks every
 * request the bot sends and every reply the server returns: path, documented status, required
 * fields, types, enums and formats. A server that drifts from GitHub fails the contract test.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Operation {
  operationId: string;
  parameters?: Array<{ $ref?: string; name?: string; in?: string; required?: boolean; schema?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}

interface Description {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, unknown>;
    examples: Record<string, { value: Json }>;
    responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
    parameters: Record<string, { name: string; in: string; required?: boolean; schema?: unknown }>;
  };
}

let cached: Description | undefined;

/** The api.github.com description (13 MB of JSON, parsed once per test file). */
export function description(): Description {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  cached = JSON.parse(readFileSync(file, 'utf8')) as Description;
  return cached;
}

/** A deep copy of one of the description's examples, e.g. "pull-request", "issue", "label". */
export function example<T = Record<string, Json>>(name: string): T {
  const found = description().components.examples[name];
  if (!found) throw new Error(`the GitHub description has no example named ${name}`);
  return structuredClone(found.value) as T;
}

/**
 * Statuses GitHub can send from any endpoint, whatever the operation documents: bad credentials,
 * primary and secondary rate limits (403/429), and server errors. Their bodies are `basic-error`.
 */
const ANY_ENDPOINT = new Set(['401', '403', '429', '500', '502', '503', '504']);

interface CompiledOperation {
  method: string;
  template: string;
  pattern: RegExp;
  operation: Operation;
}

export interface ContractProblem {
  call: string;
  where: 'request' | 'response';
  message: string;
}

export interface CheckedCall {
  method: string;
  /** Path and query as sent, e.g. /repos/o/r/pulls?state=all&per_page=100 */
  path: string;
  requestBody?: unknown;
  status: number;
  responseBody?: unknown;
}

export class GitHubContract {
  private readonly ajv: Ajv;
  private readonly operations: CompiledOperation[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    const spec = description();
    // strict: false because the description uses OpenAPI-only keywords (example, discriminator, x-*).
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    // GitHub-specific formats ("owner/name" of a repository) are descriptive only.
    this.ajv.addFormat('repo.nwo', /^[^/]+\/[^/]+$/);
    this.ajv.addSchema({ $id: 'gh', components: { schemas: openApiToJsonSchema(spec.components.schemas) } });
    for (const [template, item] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
        const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
        this.operations.push({ method: method.toUpperCase(), template, pattern, operation });
      }
    }
    // Literal segments beat parameters: /repos/{o}/{r}/pulls must not match /repos/{o}/{r}/{x} first.
    this.operations.sort((a, b) => literalScore(b.template) - literalScore(a.template));
  }

  /** The operation a request goes to, e.g. "pulls/create", or undefined when GitHub has no such endpoint. */
  operationFor(method: string, path: string): CompiledOperation | undefined {
    const pathname = path.split('?')[0]!;
    return this.operations.find((o) => o.method === method.toUpperCase() && o.pattern.test(pathname));
  }

  /** Every way `call` departs from GitHub's description (empty when it conforms). */
  check(call: CheckedCall): ContractProblem[] {
    const name = `${call.method} ${call.path} -> ${call.status}`;
    const problems: ContractProblem[] = [];
    const op = this.operationFor(call.method, call.path);
    if (!op) return [{ call: name, where: 'request', message: 'no such endpoint in the GitHub REST description' }];

    // Request: query parameters the operation declares, and the JSON body.
    const url = new URL(call.path, 'http://127.0.0.1');
    const declared = new Map<string, { schema?: unknown }>();
    for (const p of op.operation.parameters ?? []) {
      const param = p.$ref ? description().components.parameters[p.$ref.split('/').pop()!] : p;
      if (param && param.in === 'query' && param.name) declared.set(param.name, param);
    }
    for (const [key, value] of url.searchParams) {
      const param = declared.get(key);
      if (!param) {
        problems.push({ call: name, where: 'request', message: `query parameter "${key}" is not one of ${op.operation.operationId}'s` });
        continue;
      }
      const schema = param.schema as { type?: string; enum?: unknown[] } | undefined;
      const typed = schema?.type === 'integer' || schema?.type === 'number' ? Number(value) : schema?.type === 'boolean' ? value === 'true' : value;
      const errors = this.validate(`${op.template}#query:${key}`, param.schema, typed);
      for (const e of errors) problems.push({ call: name, where: 'request', message: `query ${key}=${value}: ${e}` });
    }
    const bodySchema = op.operation.requestBody?.content?.['application/json']?.schema;
    if (call.requestBody !== undefined && call.requestBody !== null && bodySchema) {
      for (const e of this.validate(`${op.method} ${op.template}#request`, bodySchema, call.requestBody)) {
        problems.push({ call: name, where: 'request', message: e });
      }
      // GitHub ignores fields it does not know; a bot that sends one believes in a setting that does not exist.
      const known = (bodySchema as { properties?: Record<string, unknown> }).properties;
      if (known && typeof call.requestBody === 'object' && !Array.isArray(call.requestBody)) {
        for (const key of Object.keys(call.requestBody as object)) {
          if (!(key in known)) problems.push({ call: name, where: 'request', message: `body field "${key}" is not one of ${op.operation.operationId}'s` });
        }
      }
    } else if (call.requestBody !== undefined && !bodySchema && call.method !== 'GET') {
      problems.push({ call: name, where: 'request', message: `${op.operation.operationId} takes no request body` });
    }

    // Response: a documented status, and a body that matches its schema.
    const status = String(call.status);
    const documented = op.operation.responses[status];
    if (!documented && !ANY_ENDPOINT.has(status)) {
      problems.push({ call: name, where: 'response', message: `status ${status} is not documented for ${op.operation.operationId} (${Object.keys(op.operation.responses).join(', ')})` });
      return problems;
    }
    const response = documented?.$ref ? description().components.responses[documented.$ref.split('/').pop()!] : documented;
    const schema = response?.content?.['application/json']?.schema ?? (documented ? undefined : { $ref: '#/components/schemas/basic-error' });
    if (schema) {
      for (const e of this.validate(`${op.method} ${op.template}#${status}`, schema, call.responseBody)) {
        problems.push({ call: name, where: 'response', message: e });
      }
    }
    return problems;
  }

  private validate(key: string, schema: unknown, value: unknown): string[] {
    let fn = this.validators.get(key);
    if (!fn) {
      const compiled: ValidateFunction = this.ajv.compile(rebase(openApiToJsonSchema(schema)) as object);
      this.validators.set(key, compiled);
      fn = compiled;
    }
    if (fn(value)) return [];
    return (fn.errors ?? []).slice(0, 20).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'invalid'}${e.params && 'missingProperty' in e.params ? ` (${String(e.params.missingProperty)})` : ''}`);
  }
}

/**
 * OpenAPI 3.0's `nullable: true` is not JSON Schema: a typed schema gains "null" as a type (and in
 * its enum), an untyped one (a $ref or a composition) becomes "that, or null".
 */
export function openApiToJsonSchema<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map((s) => openApiToJsonSchema(s)) as T;
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'example' || key === 'examples') continue;
    out[key] = key === 'enum' || key === 'required' ? value : openApiToJsonSchema(value);
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out as T;
    }
    return { anyOf: [out, { type: 'null' }] } as T;
  }
  delete out.nullable;
  return out as T;
}

function literalScore(template: string): number {
  return template.split('/').filter((s) => s && !s.startsWith('{')).length * 100 - template.split('/').length;
}

/** Point the description's local refs (#/components/...) at the schema registered as "gh". */
function rebase(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema ?? {}).replace(/"\$ref":"#\/components\//g, '"$ref":"gh#/components/'));
}

let contract: GitHubContract | undefined;

/** One checker per test file. */
export function githubContract(): GitHubContract {
  contract ??= new GitHubContract();
  return contract;
}

/** Every departure from GitHub's description in a server's call log (request and reply). */
export function contractProblems(calls: ReadonlyArray<{ method: string; path: string; status: number; body: unknown; response: unknown }>): ContractProblem[] {
  const checker = githubContract();
  return calls.flatMap((c) => checker.check({ method: c.method, path: c.path, requestBody: c.body, status: c.status, responseBody: c.response }));
}
