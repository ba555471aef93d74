// Layering rules (docs: ../shared/ARCHITECTURE.md "Layout"), checked by `npm run lint`.
// Paths are relative to the repository root; every rule is an error so CI fails on the first breach.

/** The only packages workflow code may import at run time (the deterministic sandbox's SDK). */
const SDK_FOR_WORKFLOWS = '^node_modules/@temporalio/(workflow|common)/';

/**
 * What of workflows/ the API and the use cases may import: each family's contract and the shared ids,
 * search attributes and failure types. A family's implementation is spread over several files
 * (workflow.ts wires a class from its neighbours), so everything else there is implementation.
 */
const WORKFLOW_CONTRACTS = [
  '^workflows/[^/]+/definitions\\.ts$',
  '^workflows/shared/(ids|search-attributes|failures)\\.ts$',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'src/domain is pure logic: no I/O, no clock, no env. It imports only itself — no node builtins, no ' +
        'other layer. zod is the one package allowed: schema validation of values, no I/O.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^node_modules/zod/'] },
    },
    {
      name: 'workflows-import-only-sdk-domain-and-contracts',
      comment:
        'Workflow code runs in the deterministic sandbox: it may import @temporalio/workflow and ' +
        '@temporalio/common, src/domain and workflow contracts. Activity signatures may be imported as ' +
        'types from activities/index.ts (erased from the bundle) to type proxyActivities.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        pathNot: ['^workflows/', '^src/domain/', SDK_FOR_WORKFLOWS],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'workflows-type-imports-only-activity-signatures',
      comment:
        'A type-only import from workflow code may reach the activity factories (activities/index.ts) and nothing else outside the allowed set.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        pathNot: ['^workflows/', '^src/domain/', SDK_FOR_WORKFLOWS, '^activities/index\\.ts$'],
        dependencyTypes: ['type-only'],
      },
    },
    {
      name: 'workflows-reach-other-families-through-contracts',
      comment:
        "A workflow family imports another family's definitions.ts (or workflows/shared), never its " +
        'implementation. workflows/index.ts is the bundle entry and lists every implementation.',
      severity: 'error',
      from: { path: '^workflows/([^/]+)/' },
      to: {
        path: '^workflows/',
        pathNot: ['^workflows/$1/', '^workflows/shared/', '^workflows/[^/]+/definitions\\.ts$'],
      },
    },
    {
      name: 'activities-never-import-api-or-app',
      comment:
        'Activities are the I/O side of workflows; they use src/data, src/infra and src/domain, never HTTP or use cases.',
      severity: 'error',
      from: { path: '^activities/' },
      to: { path: '^src/(api|app)/' },
    },
    {
      name: 'workers-never-import-api-or-app',
      comment:
        'Worker processes host workflows and activities; rule tables they need (e.g. rate-limit retention) live in src/domain.',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: '^src/(api|app)/' },
    },
    {
      name: 'api-imports-workflow-contracts-only',
      comment:
        'The API starts and signals workflows through their contracts (workflows/<family>/definitions.ts, ' +
        'the shared ids, search attributes and failure types); it never imports activities or workflow implementations.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: ['^activities/', '^workflows/'], pathNot: WORKFLOW_CONTRACTS },
    },
    {
      name: 'api-reaches-data-through-app',
      comment:
        'Handlers call use cases; they never query src/data themselves, not even for a type. A view gets ' +
        'its row shape from the use case that returns it (re-exported by src/app), so a query, its ' +
        'include or its scoping changes behind one layer and the HTTP layer cannot bypass the checks ' +
        'the use case makes.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/data/' },
    },
    {
      name: 'app-starts-workflows-through-contracts',
      comment:
        'Use cases start and signal workflows the same way: by contract (definitions.ts, workflows/shared), ' +
        'never by importing activities or a workflow implementation (../shared/ARCHITECTURE.md, app/).',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { path: ['^activities/', '^workflows/'], pathNot: WORKFLOW_CONTRACTS },
    },
    {
      name: 'app-never-imports-api',
      comment: 'Use cases know nothing of HTTP: src/app never imports src/api.',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { path: '^src/api/' },
    },
    {
      name: 'data-and-infra-never-import-api-or-app',
      comment: 'Queries and adapters sit below the use cases and the HTTP layer.',
      severity: 'error',
      from: { path: '^src/(data|infra)/' },
      to: { path: '^src/(api|app)/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles anywhere.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a typo in a path would otherwise slip past the rules above).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Prisma's generated client and node_modules are resolved but not walked into.
    doNotFollow: { path: ['node_modules', '^src/generated/'] },
    exclude: { path: ['^src/generated/', '^\\.data/', '^\\.tools/'] },
    // Type-only imports count: they are how workflows type their activity proxies.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
