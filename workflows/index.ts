// Every workflow the workers run; bundled once per worker process.
export * from './health';
