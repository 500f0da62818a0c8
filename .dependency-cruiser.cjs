/**
 * The layer check (`npm run layers`, part of `npm test`): arrows point inward only.
 * domain/ imports nothing but itself and zod; adapters (infrastructure/) and the libraries
 * that only adapters may use are imported from infrastructure/ and apps/ alone. Product code
 * never leans on test support: not on testing/, not on a dev dependency, and no product file
 * exists only for specs or benches.
 */
const adapterLibraries =
  '^(better-sqlite3|pg|pg-copy-streams|fastify|@fastify|nats|@nats-io|@eventstore|@slack|pdfkit|pino|inversify|commander|cli-progress|croner|prom-client)';

/** what is not product code: specs, and the contract suites and fixtures that specs run */
const testFiles = '\\.(spec|contract|fixtures)\\.ts$';

/**
 * Where product code starts: the CLI, and the modules that worker threads load by URL
 * (`new Worker(...)` is not an import the cruiser can follow). A new worker entry goes here.
 */
const productEntries = [
  '^apps/cli/main\\.ts$',
  '^apps/alerter/alerterWorker\\.ts$',
  '^apps/automator/automatorWorker\\.ts$',
  '^apps/reporter/reporterWorker\\.ts$',
  '^apps/projector/projectionWorker\\.ts$',
  '^apps/projector/rebuildWorker\\.ts$',
];

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ may import only domain/ and zod: no I/O, no clock, no Node built-ins',
      severity: 'error',
      from: { path: '^domain/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: ['^domain/', '^node_modules/zod/', '^zod$'] },
    },
    {
      name: 'application-knows-domain-only',
      severity: 'error',
      from: { path: '^application/', pathNot: testFiles },
      to: { path: ['^(infrastructure|projections|apps)/'] },
    },
    {
      name: 'projections-know-domain-and-application',
      severity: 'error',
      from: { path: '^projections/', pathNot: '\\.spec\\.ts$' },
      to: { path: ['^(infrastructure|apps)/'] },
    },
    {
      name: 'adapters-only-in-infrastructure-and-apps',
      comment: 'an adapter (or an adapter-only library) used outside infrastructure/ and apps/',
      severity: 'error',
      from: { path: '^(domain|application|projections)/', pathNot: '\\.spec\\.ts$' },
      to: { path: ['^infrastructure/', `^node_modules/${adapterLibraries.slice(1)}`] },
    },
    {
      name: 'product-never-imports-testing',
      comment: 'testing/ (emulators, fakes, harnesses, fixtures) is for specs and benches only',
      severity: 'error',
      from: { path: '^(domain|application|projections|infrastructure|apps)/', pathNot: testFiles },
      to: { path: '^testing/' },
    },
    {
      name: 'product-never-imports-dev-dependencies',
      comment: 'a devDependency is not installed with --omit=dev: product code cannot rely on it',
      severity: 'error',
      from: { path: '^(domain|application|projections|infrastructure|apps)/', pathNot: testFiles },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'no-test-only-product-code',
      comment:
        'a file of infrastructure/ or application/ that no product entry reaches serves only specs or benches: move it to testing/ (or bench/), or delete it',
      severity: 'error',
      from: { path: productEntries },
      to: { path: '^(infrastructure|application)/', pathNot: testFiles, reachable: false },
    },
    {
      name: 'infrastructure-does-not-import-apps',
      severity: 'error',
      from: { path: '^infrastructure/' },
      to: { path: '^apps/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
    exclude: { path: testFiles },
  },
};
