// Every workflow the workers run; bundled once per worker process.
export * from './health/workflow';
export * from './booking/workflow';
export * from './video/workflow';
export * from './clip/workflow';
