import { GO_TOOLS, ensureTool, type GoTool } from './tools';

// Builds any missing service binary (go install, pinned versions in tools.ts) and reports timings.
for (const name of Object.keys(GO_TOOLS) as GoTool[]) {
  const started = Date.now();
  const path = ensureTool(name);
  console.log(`${name}: ${path} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
