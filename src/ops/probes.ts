import type { Hono } from 'hono';

// Liveness and readiness, the way orchestrators use them: /livez says only that the process is alive
// (a failing liveness probe restarts it, so a Discord or Postgres outage must never fail it), /readyz
// says whether the process can do its work now (Postgres, Redis and, for the bot, the gateway).

export type ReadinessChecks = Record<string, () => Promise<unknown> | boolean>;

/** Runs every check at once; a check that hangs counts as failed after `timeoutMs`. */
export async function runReadinessChecks(
  checks: ReadinessChecks,
  timeoutMs = 2_000,
): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
  const within = async (check: () => Promise<unknown> | boolean): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const outcome = Promise.resolve()
      .then(check)
      .then(
        (value) => value !== false,
        () => false,
      );
    try {
      return await Promise.race([outcome, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => within(checks[name] ?? (() => false))));
  const byName = Object.fromEntries(names.map((name, index) => [name, results[index] ?? false]));
  return { ready: results.every(Boolean), checks: byName };
}

const NO_STORE = { 'cache-control': 'no-store' };

/** /livez and /readyz, open to load balancers and orchestrators. */
export function addProbes(app: Hono, checks: ReadinessChecks): void {
  app.get('/livez', (c) => c.json({ status: 'alive' }, 200, NO_STORE));
  app.get('/readyz', async (c) => {
    const result = await runReadinessChecks(checks);
    return c.json({ status: result.ready ? 'ready' : 'not ready', ...result.checks }, result.ready ? 200 : 503, NO_STORE);
  });
}
