/** A writer that answers from what is loaded, and tells what it was asked for beyond that and what it wrote. */
export type Recorder<Changes> = {
  asksForMore(): boolean;
  changes(): Changes;
};

const MAX_ROUNDS = 50;

/**
 * A port whose writer reads synchronously, over a database a query reaches only
 * asynchronously: run `apply` against a writer answering from what is loaded (guessing
 * meanwhile), load in bulk what it asked for, and run it again until it asks for nothing new.
 * The last run's writes and result are the transaction's.
 *
 * Hazard: `apply` may run several times, so it must act only through the writer.
 */
export const applyPrefetched = async <Run extends Recorder<Changes>, Changes, T>(
  apply: (run: Run) => T,
  newRun: () => Run,
  load: (run: Run) => Promise<void>,
  /** names the transaction in the error of an apply that never settles: `an alert transaction` */
  what: string,
): Promise<{ readonly result: T; readonly changes: Changes }> => {
  for (let round = 1; ; round++) {
    const run = newRun();
    let outcome: { readonly result: T } | { readonly error: unknown };
    try {
      outcome = { result: apply(run) };
    } catch (error) {
      outcome = { error }; // perhaps only because of a guessed answer: load and run again first
    }
    if (!run.asksForMore()) {
      if ('error' in outcome) throw outcome.error;
      return { result: outcome.result, changes: run.changes() };
    }
    if (round === MAX_ROUNDS)
      throw new Error(
        `${what} still asked for new state after ${MAX_ROUNDS} reads; its apply must ask for the same rows when given the same answers (no clock or random reads deciding what to read)`,
      );
    await load(run);
  }
};
