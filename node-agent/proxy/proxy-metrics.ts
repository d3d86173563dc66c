/**
 * The proxy's metrics (kube-proxy's sync_proxy_rules_* family): sync
 * durations as a histogram, rules and chains written, restores run, the
 * last successful sync and the failures.
 */

/** Upper bounds of the sync duration buckets, in ms (the last bucket is +Inf). */
export const SYNC_BUCKETS_MS: readonly number[] = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
];

/** A snapshot of the proxy's metrics. */
export interface ProxyMetrics {
  /** Successful syncs, including those that wrote nothing. */
  syncs: number;
  /** Failed syncs (a restore, save or jump that failed). */
  failures: number;
  /** Duration of the last successful sync, ms. */
  lastSyncMs: number;
  /** Cumulative histogram of successful sync durations: count of syncs ≤ le ms. */
  syncDurationBuckets: { le: number; count: number }[];
  syncDurationSumMs: number;
  /** Rule lines written since start, and by the last successful sync. */
  rulesWritten: number;
  lastRulesWritten: number;
  /** Chains written since start; "table/CHAIN" of those the last successful sync wrote. */
  chainsWritten: number;
  lastChainsWritten: string[];
  /** Chains deleted since start. */
  chainsDeleted: number;
  /** iptables-restore runs since start. */
  restores: number;
  /** When the last successful sync ended (ms since the epoch); 0 before the first. */
  lastSuccessfulSync: number;
  /** Rule lines in the desired ruleset after the last successful sync. */
  rulesDesired: number;
}

/** Accumulates ProxyMetrics. */
export class MetricsRecorder {
  readonly #m: ProxyMetrics = {
    syncs: 0,
    failures: 0,
    lastSyncMs: 0,
    syncDurationBuckets: [...SYNC_BUCKETS_MS, Infinity].map((le) => ({ le, count: 0 })),
    syncDurationSumMs: 0,
    rulesWritten: 0,
    lastRulesWritten: 0,
    chainsWritten: 0,
    lastChainsWritten: [],
    chainsDeleted: 0,
    restores: 0,
    lastSuccessfulSync: 0,
    rulesDesired: 0,
  };

  /** Records a successful sync. */
  synced(s: {
    durationMs: number;
    rules: number;
    written: string[];
    deleted: number;
    restores: number;
    desired: number;
  }): void {
    const m = this.#m;
    m.syncs++;
    m.lastSyncMs = s.durationMs;
    m.syncDurationSumMs += s.durationMs;
    for (const b of m.syncDurationBuckets) if (s.durationMs <= b.le) b.count++;
    m.rulesWritten += s.rules;
    m.lastRulesWritten = s.rules;
    m.chainsWritten += s.written.length;
    m.lastChainsWritten = s.written;
    m.chainsDeleted += s.deleted;
    m.restores += s.restores;
    m.lastSuccessfulSync = Date.now();
    m.rulesDesired = s.desired;
  }

  /** Records a failed sync; `restores` run before it failed. */
  failed(restores: number): void {
    this.#m.failures++;
    this.#m.restores += restores;
  }

  /** A copy of the current figures. */
  snapshot(): ProxyMetrics {
    const m = this.#m;
    return {
      ...m,
      syncDurationBuckets: m.syncDurationBuckets.map((b) => ({ ...b })),
      lastChainsWritten: [...m.lastChainsWritten],
    };
  }
}
