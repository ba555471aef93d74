// Every workflow the workers run; bundled once per worker process.
export * from './health';
export * from './booking';
export * from './video';
export * from './clip';
