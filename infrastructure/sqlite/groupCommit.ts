import { UnavailableError } from '../../domain/errors/journeyError.ts';
import { storageFailureHint } from './storageFailure.ts';

export type Outcome<Result> =
  | { readonly ok: true; readonly result: Result }
  | { readonly ok: false; readonly error: unknown };

type Queued<Request, Result> = {
  readonly request: Request;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: unknown) => void;
};

/**
 * Group commit: requests made in the same tick (Promise.all over many streams, many HTTP
 * requests at once) are committed by one transaction, so they share its fsync and WAL
 * frame writes. `commit` runs the transaction and reports each request's own outcome;
 * no promise resolves before the transaction has committed.
 */
export class GroupCommit<Request, Result> {
  private queue: Queued<Request, Result>[] = [];
  private scheduled: Promise<void> | undefined;

  constructor(
    private readonly commit: (requests: readonly Request[]) => readonly Outcome<Result>[],
    /** what failed, for the error every request of a failed transaction gets */
    private readonly what: string,
    /** called after a transaction committed */
    private readonly afterCommit: () => void = () => {},
  ) {}

  submit(request: Request): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      // setImmediate, not a microtask: callers that await between their calls still land
      // in the same group as long as they do not wait on I/O
      this.scheduled ??= new Promise((done) =>
        setImmediate(() => {
          this.flush();
          done();
        }),
      );
    });
  }

  /** resolves once everything submitted so far has been committed or failed */
  async drain(): Promise<void> {
    await this.scheduled;
  }

  private flush(): void {
    const queue = this.queue;
    this.queue = [];
    this.scheduled = undefined;
    let outcomes: readonly Outcome<Result>[];
    try {
      outcomes = this.commit(queue.map((q) => q.request));
    } catch (cause) {
      const error = new UnavailableError(
        `${this.what}: the transaction for ${queue.length} requests failed (${String(cause)})${storageFailureHint(cause)}`,
        {
          cause,
        },
      );
      for (const q of queue) q.reject(error);
      return;
    }
    queue.forEach((q, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) q.resolve(outcome.result);
      else q.reject(outcome ? outcome.error : new Error(`${this.what}: no outcome for request ${i}`));
    });
    this.afterCommit();
  }
}

/** runs `fn` for one request inside the group's transaction, keeping its failure its own */
export const outcomeOf = <Result>(fn: () => Result): Outcome<Result> => {
  try {
    return { ok: true, result: fn() };
  } catch (error) {
    return { ok: false, error };
  }
};
