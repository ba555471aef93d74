import { defineConfig } from 'prisma/config';

// The CLI is only used for `prisma generate` here (see scripts/prisma-generate.mjs); the URL is
// needed by `prisma migrate deploy/status` on machines that can download the schema engine.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations', seed: 'tsx prisma/seed.ts' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:54329/coachflow' },
});
