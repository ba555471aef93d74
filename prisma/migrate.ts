import { config } from '../src/infra/config';
import { migrate } from '../src/infra/migrations';
import { ensureDatabase } from '../src/dev/postgres';

const { DATABASE_URL } = config();
await ensureDatabase(DATABASE_URL);
const applied = await migrate(DATABASE_URL, (line) => console.log(line));
console.log(applied.length ? `${applied.length} migration(s) applied` : 'database is up to date');
