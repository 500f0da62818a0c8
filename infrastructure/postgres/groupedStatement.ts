type Waiting<Item, Result> = {
  readonly item: Item;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: unknown) => void;
};

/**
 * One statement for many calls: the first call runs at once; calls made while it is in flight
 * wait and run together as the next statement, so under load each commit (a round trip and a
 * WAL flush) serves a whole group while a lone call never waits. Two calls with the same key
 * never share a statement: the later one runs in the next, keeping their order.
 */
export class GroupedStatement<Item, Result> {
  private waiting: Waiting<Item, Result>[] = [];
  private running = false;

  constructor(
    /** runs one group; returns each item's result in order */
    private readonly run: (items: readonly Item[]) => Promise<readonly Result[]>,
    private readonly keyOf: (item: Item) => string,
    private readonly maxGroup = 500,
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.nextGroup();
        try {
          const results = await this.run(group.map((w) => w.item));
          for (const [i, w] of group.entries()) w.resolve(results[i] as Result);
        } catch (error) {
          for (const w of group) w.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private nextGroup(): Waiting<Item, Result>[] {
    const group: Waiting<Item, Result>[] = [];
    const later: Waiting<Item, Result>[] = [];
    const keys = new Set<string>();
    for (const w of this.waiting) {
      const key = this.keyOf(w.item);
      if (group.length >= this.maxGroup || keys.has(key)) later.push(w);
      else {
        keys.add(key);
        group.push(w);
      }
    }
    this.waiting = later;
    return group;
  }
}
