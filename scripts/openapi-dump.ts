// Prints the OpenAPI document without starting any service (routes only read deps per request).
import { createApp } from '../src/api/app';
import { config } from '../src/infra/config';
import type { Deps } from '../src/infra/deps';

const app = createApp({ cfg: config() } as Deps);
const res = await app.request('/openapi.json');
process.stdout.write(JSON.stringify(await res.json(), null, 2) + '\n');
