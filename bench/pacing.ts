/**
 * Calls `send(index, due)` for index 0 … count − 1, spaced evenly at `rate` per second from now, and
 * resolves with the start time once the last call has gone out. Timers fire late: every call due by
 * now goes out now, given its own due time, so that latency is counted from when it was due.
 */
export function paceEvenly(rate: number, count: number, send: (index: number, due: number) => void): Promise<number> {
  const started = performance.now();
  const interval = 1_000 / rate;
  let sent = 0;
  return new Promise<number>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < count && started + sent * interval <= now) {
        const index = sent++;
        send(index, started + index * interval);
      }
      if (sent >= count) return resolve(started);
      setTimeout(tick, Math.max(0, started + sent * interval - performance.now()));
    };
    tick();
  });
}
