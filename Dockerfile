# syntax=docker/dockerfile:1
# One image for the API, the workers and the one-shot migration (see docker-compose.yml).
#   default CMD: the API           node --import tsx src/api/server.ts
#   worker:                        scripts/worker.sh   (compiled JavaScript from dist/, memory
#                                                       settings: docs/adr/0010-worker-memory.md)
#   migrations:                    npm run db:migrate
FROM node:24-bookworm-slim

# ffmpeg/ffprobe for the media worker (FFMPEG_PATH / FFPROBE_PATH default to these on PATH).
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first so this layer is cached until the lockfile changes. `npm ci` runs the postinstall
# (scripts/prisma-generate.mjs -> prisma generate), which needs the Prisma schema and config, and the
# prisma CLI from devDependencies: keep them (no --omit=dev, no NODE_ENV=production here).
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/prisma-generate.mjs scripts/
COPY prisma/schema.prisma prisma/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

COPY . .
# dist/: the worker compiled to one ES module and the workflow bundle it loads as is (scripts/build.ts),
# so worker containers pay neither for tsx nor for a webpack run at each start.
RUN npm run build
# The image is what production runs: config refuses every public development default under this
# (src/infra/config.ts). docker-compose.yml sets NODE_ENV=development for the local stack.
ENV NODE_ENV=production
# Root-owned and read-only for the runtime user: nothing writes under /app (temp files go to /tmp).
USER node

EXPOSE 3000
CMD ["node", "--import", "tsx", "src/api/server.ts"]
