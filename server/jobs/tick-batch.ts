// Calls made within one macrotask, run together: the first call schedules a
// flush for the next macrotask (setImmediate), and every call until then joins
// its batch. Used where many independent callers each write a little (Fedify
// enqueueing one delivery per inbox, 1,000 at once), so that one transaction
// does what a thousand would: on SQLite every transaction takes the single
// write lock, which the other thread then waits for.

/** One item's outcome: what its caller's promise resolves to, or why it rejects. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** A promise's outcome as a value: one failed item of a batch must not fail the others. */
export async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * `run` gets the batch in call order and settles each item (same order). If
 * `run` itself throws, every item of the batch rejects with that error.
 */
export function tickBatcher<I, R>(run: (items: I[]) => Promise<Settled<R>[]>): (item: I) => Promise<R> {
  let pending: { item: I; resolve: (value: R) => void; reject: (error: unknown) => void }[] = [];

  async function flush(): Promise<void> {
    const batch = pending;
    pending = [];
    let results: Settled<R>[];
    try {
      results = await run(batch.map((p) => p.item));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const result = results[i];
      if (result?.ok) p.resolve(result.value);
      else p.reject(result ? result.error : new Error('batched call got no result'));
    });
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (pending.length === 0) setImmediate(() => void flush());
      pending.push({ item, resolve, reject });
    });
}
