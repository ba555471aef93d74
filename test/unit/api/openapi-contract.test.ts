import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contractProblems,
  extractContract,
  type Contract,
  type JsonObject,
} from '../../../scripts/openapi-contract';
import { createApp } from '../../../src/api/app';
import { loadConfig } from '../../../src/infra/config';
import type { Deps } from '../../../src/infra/deps';

// /openapi.json is the product's contract: every path, method, status, parameter and schema recorded in
// test/fixtures/openapi/contract.json must still be served, meaning the same. Additions pass.
// The document is built like scripts/openapi-dump.ts: routes read their dependencies per request.

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/openapi/contract.json'), 'utf8'),
) as Contract;

async function liveDocument() {
  const app = createApp({ cfg: loadConfig({ ...process.env, LOG_LEVEL: 'silent' }) } as Deps);
  const res = await app.request('/openapi.json');
  expect(res.status).toBe(200);
  return (await res.json()) as JsonObject;
}

const clone = (c: Contract): Contract => structuredClone(c);

describe('the OpenAPI contract', () => {
  it('keeps every path, method, status, parameter and schema of the recorded contract', async () => {
    const live = extractContract(await liveDocument());
    expect(contractProblems(fixture, live)).toEqual([]);
  });

  it('records the whole API (126 operations, 77 named schemas)', () => {
    expect(Object.keys(fixture.operations)).toHaveLength(126);
    expect(Object.keys(fixture.schemas)).toHaveLength(77);
  });
});

describe('the contract comparison', () => {
  it('reports a missing operation, status, parameter and named schema', () => {
    const live = clone(fixture);
    delete live.operations['GET /api/bookings'];
    delete live.operations['POST /api/auth/login']!.responses['429'];
    delete live.operations['GET /api/availability/slots']!.parameters['query:timeZone'];
    delete live.schemas.Booking;
    const problems = contractProblems(fixture, live);
    expect(problems).toEqual(
      expect.arrayContaining([
        'GET /api/availability/slots: parameter query:timeZone missing',
        'POST /api/auth/login: response 429 missing',
        'GET /api/bookings: operation missing',
        'components.schemas.Booking: missing',
      ]),
    );
    // Every operation answering with a Booking changed too.
    expect(problems.some((p) => p.startsWith('POST /api/bookings/{id}/cancel: response 200'))).toBe(true);
  });

  it('reports a changed schema, request body and parameter requirement', () => {
    const live = clone(fixture);
    const login = live.operations['POST /api/auth/login']!;
    const body = login.requestBody!.content['application/json'] as { properties: Record<string, unknown> };
    body.properties.password = { type: 'string' };
    live.operations['GET /api/availability/slots']!.parameters['query:from']!.required = true;
    (live.schemas.Slot as { required: string[] }).required = [];
    expect(contractProblems(fixture, live)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GET \/api\/availability\/slots: parameter query:from required false → true$/),
        expect.stringMatching(
          /^GET \/api\/availability\/slots: response 200 application\/json schema changed/,
        ),
        expect.stringMatching(/^POST \/api\/auth\/login: request body application\/json schema changed/),
        expect.stringMatching(/^components\.schemas\.Slot: changed/),
      ]),
    );
  });

  it('accepts additions and inlining a $ref', () => {
    const live = clone(fixture);
    live.operations['GET /api/new-thing'] = { parameters: {}, responses: { '200': {} } };
    live.operations['POST /api/auth/login']!.responses['503'] = {};
    live.operations['GET /api/bookings']!.parameters['query:extra'] = {
      required: false,
      schema: { type: 'string' },
    };
    live.schemas.NewThing = { type: 'object' };
    const ok = live.operations['POST /api/auth/login']!.responses['200']!;
    ok['application/json'] = live.schemas.Session!;
    expect(contractProblems(fixture, live)).toEqual([]);
  });

  it('accepts what old clients cannot notice: new response fields, new optional request fields', () => {
    const live = clone(fixture);
    const booking = live.schemas.Booking as { properties: Record<string, unknown>; required: string[] };
    booking.properties.addedLater = { type: ['null', 'string'] };
    booking.required = [...booking.required, 'addedLater'];
    const login = live.operations['POST /api/auth/login']!.requestBody!.content['application/json'] as {
      properties: Record<string, unknown>;
    };
    login.properties.rememberMe = { type: 'boolean' };
    expect(contractProblems(fixture, live)).toEqual([]);
  });

  it('refuses what breaks old clients: a newly required request field, a response field dropped or no longer required', () => {
    const live = clone(fixture);
    const login = live.operations['POST /api/auth/login']!.requestBody!.content['application/json'] as {
      properties: Record<string, unknown>;
      required: string[];
    };
    login.properties.otp = { type: 'string' };
    login.required = [...login.required, 'otp'];
    const booking = live.schemas.Booking as { properties: Record<string, unknown>; required: string[] };
    delete booking.properties.status;
    const slot = live.schemas.Slot as { required: string[] };
    slot.required = slot.required.slice(1);
    expect(contractProblems(fixture, live)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^POST \/api\/auth\/login: request body application\/json schema changed/),
        expect.stringMatching(/^components\.schemas\.Booking: changed/),
        expect.stringMatching(/^components\.schemas\.Slot: changed/),
      ]),
    );
  });

  it('ignores prose: descriptions, summaries, titles and examples', () => {
    const doc = {
      paths: {
        '/x': {
          get: {
            summary: 'old',
            responses: {
              '200': {
                description: 'old',
                content: {
                  'application/json': {
                    schema: { type: 'object', description: 'old', properties: { title: { type: 'string' } } },
                  },
                },
              },
            },
          },
        },
      },
    };
    const reworded = structuredClone(doc);
    reworded.paths['/x'].get.summary = 'new';
    reworded.paths['/x'].get.responses['200'].content['application/json'].schema.description = 'new';
    expect(contractProblems(extractContract(doc), extractContract(reworded))).toEqual([]);
    const retyped = structuredClone(doc);
    retyped.paths['/x'].get.responses['200'].content['application/json'].schema.properties.title.type =
      'number';
    expect(contractProblems(extractContract(doc), extractContract(retyped))).toHaveLength(1);
  });
});
