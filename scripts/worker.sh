#!/bin/sh
# The worker as it runs in production: the compiled JavaScript from `npm run build` with the memory
# settings measured in docs/adr/0010-worker-memory.md. Used by `npm run worker`, the Docker image and
# `npm run bench`; WORKER_QUEUES and the rest of the configuration come from the environment.
#
# glibc malloc (the Temporal core, V8's compilers, libuv's threads):
#   MALLOC_ARENA_MAX=2 — by default every thread that allocates gets an arena of its own (up to 8 per
#     core), each keeping the memory freed in it; two are enough for a worker's threads.
#   MALLOC_TRIM_THRESHOLD_=131072 — give freed memory at the top of the heap back to the system
#     beyond 128 KB. Without a fixed value glibc raises the threshold (and the size from which it
#     maps large blocks separately) after the first large free, and what the first tasks allocated
#     and freed (the heap grew by up to ~40 MB) stays resident.
# --max-semi-space-size=4 — V8 grows the young generation of each isolate (this process and the
#   workflow thread) up to 2 x 32 MB and keeps the pages once touched; the worker's garbage is
#   small and short-lived (activations, payloads), so 4 MB semi-spaces only mean more frequent,
#   shorter scavenges.
# --no-wasm-tier-up --no-wasm-dynamic-tiering — Prisma's query compiler is WebAssembly: after the
#   first queries V8 would recompile it with its optimising tier in the background, up to ~45 MB of
#   compiler memory, much of it left in the allocator; queries measured the same time (~0.7 ms)
#   with the baseline (Liftoff) code.
set -e
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-131072}"
exec node --max-semi-space-size=4 --no-wasm-tier-up --no-wasm-dynamic-tiering "$(dirname "$0")/../dist/worker.js" "$@"
