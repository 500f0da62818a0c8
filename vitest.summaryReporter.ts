import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with the plain line "N passed, N failed, N skipped" that CI reads in any
 * language, and names each skipped test so no skip is silent.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else if (state === 'skipped')
          skipped.push(`${module.moduleId.replace(`${process.cwd()}/`, '')} > ${test.fullName}`);
      }
      if (module.state() === 'failed' && module.children.size === 0) failed++;
    }
    const out = process.stdout;
    for (const name of skipped) out.write(`SKIPPED: ${name}\n`);
    out.write(`\n${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
  }
}
