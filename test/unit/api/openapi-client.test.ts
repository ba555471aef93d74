import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../scripts/openapi-lint';

// Issue 9 #18: a client generated from /openapi.json typechecks. openapi-typescript turns the document
// into types (operations keyed by operationId), openapi-fetch is the typed client over them; code using
// it is compiled with the project's strictness. Code that misuses the API must not compile, or the
// types would be proving nothing.

const root = join(import.meta.dirname, '../../..');
let dir: string;

const usage = `
import createClient from 'openapi-fetch';
import type { components, operations, paths } from './schema';

type NewBooking = operations['createBooking']['requestBody']['content']['application/json'];
type Booking = components['schemas']['Booking'];

const api = createClient<paths>({ baseUrl: 'http://127.0.0.1:3000' });
const bearer = (token: string) => ({ Authorization: 'Bearer ' + token });

export async function logIn(email: string, password: string): Promise<string> {
  const { data, error } = await api.POST('/api/auth/login', { body: { email, password } });
  if (error) throw new Error(error.error.code + ': ' + error.error.message);
  return data.token;
}

export async function openSlots(serviceId: string): Promise<string[]> {
  const { data, error } = await api.GET('/api/availability/slots', {
    params: { query: { serviceId, timeZone: 'Europe/London' } },
  });
  if (error) throw new Error(error.error.message);
  return data.slots.map((slot) => slot.local?.start ?? slot.start);
}

export async function book(token: string, body: NewBooking): Promise<Booking> {
  const { data, error } = await api.POST('/api/bookings', { body, headers: bearer(token) });
  if (error) throw new Error(error.error.code);
  return data.booking;
}

export async function cancel(token: string, id: string): Promise<number | undefined> {
  const { data, error } = await api.POST('/api/bookings/{id}/cancel', {
    params: { path: { id } },
    body: { reason: 'injured' },
    headers: bearer(token),
  });
  if (error) throw new Error(error.error.code);
  return data.refund?.amountMinor;
}
`;

// One misuse per line: a number where a uuid string goes, a path the API does not have, a missing
// path parameter, a field the response does not have.
const misuse = [
  `import createClient from 'openapi-fetch';`,
  `import type { paths } from './schema';`,
  `const api = createClient<paths>();`,
  `export const a = api.POST('/api/bookings', { body: { serviceId: 1, start: '2026-12-01T09:00:00Z' } });`,
  `export const b = api.GET('/api/no-such-thing', {});`,
  `export const c = api.POST('/api/bookings/{id}/cancel', { body: {} });`,
  `export const d = api.GET('/api/bookings').then((r) => r.data?.items[0]?.priceInPennies);`,
].join('\n');

type Diagnostic = { file: string; line: number; text: string };
let diagnostics: Diagnostic[];

/** One program for both files: the standard library and the generated types are parsed once. */
function typecheck(files: string[]): Diagnostic[] {
  const program = ts.createProgram(
    files.map((f) => join(dir, f)),
    {
      target: ts.ScriptTarget.ES2023,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      types: [],
      noEmit: true,
    },
  );
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const file = d.file ? d.file.fileName.slice(dir.length + 1) : '';
    const line = d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1 : 0;
    return { file, line, text: `${file}:${line} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}` };
  });
}

beforeAll(async () => {
  // Under the repository (ignored .data/) so 'openapi-fetch' resolves from its node_modules.
  dir = mkdtempSync(join(root, '.data', 'openapi-client-'));
  // .ts, not .d.ts: skipLibCheck would skip a declaration file, and the generated code is checked too.
  writeFileSync(
    join(dir, 'schema.ts'),
    astToString(await openapiTS(JSON.stringify(await openApiDocument()))),
  );
  writeFileSync(join(dir, 'usage.ts'), usage);
  writeFileSync(join(dir, 'misuse.ts'), misuse);
  diagnostics = typecheck(['usage.ts', 'misuse.ts']);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a client generated from the OpenAPI document (issue 9 #18)', () => {
  it('typechecks, with operations named by their operationId', () => {
    expect(diagnostics.filter((d) => d.file !== 'misuse.ts').map((d) => d.text)).toEqual([]);
  });

  it('rejects calls the API does not accept', () => {
    const lines = diagnostics.filter((d) => d.file === 'misuse.ts').map((d) => d.line);
    expect([...new Set(lines)].sort()).toEqual([4, 5, 6, 7]);
  });
});
