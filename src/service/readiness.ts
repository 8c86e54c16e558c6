/**
 * What /readyz reports: the process can serve when the database takes writes, a policy is
 * loaded, Slack accepted the token (and, in Socket Mode, the connection is up) and the issuer has
 * not refused cardops' credentials since its last successful call. Each failing part is named.
 */
export interface Readiness {
  issuerRefused(cause: string): void;
  issuerAccepted(): void;
  setSlack(state: { ok: true } | { ok: false; why: string }): void;
  /** The parts that fail now, each `part: why`; empty when ready. */
  check(): Promise<string[]>;
}

/** How long /readyz waits for the database part: a hung database answers 503, not a hung probe. */
export const DATABASE_PROBE_TIMEOUT_MS = 2_000;

export function createReadiness(options: {
  /** Resolves (or returns) when a write would go through; throws otherwise. */
  databaseWritable: () => unknown;
  policyLoaded: () => boolean;
  /** Default DATABASE_PROBE_TIMEOUT_MS. */
  databaseTimeoutMs?: number;
}): Readiness {
  const databaseTimeoutMs = options.databaseTimeoutMs ?? DATABASE_PROBE_TIMEOUT_MS;
  let issuer: string | undefined;
  let slack: string | undefined = 'token not checked yet';
  return {
    issuerRefused(cause) {
      issuer = cause;
    },
    issuerAccepted() {
      issuer = undefined;
    },
    setSlack(state) {
      slack = state.ok ? undefined : state.why;
    },
    async check() {
      const failing: string[] = [];
      try {
        await withDeadline(options.databaseWritable, databaseTimeoutMs);
      } catch (error) {
        failing.push(`database: not writable (${error instanceof Error ? error.message : 'error'})`);
      }
      if (!options.policyLoaded()) failing.push('policy: not loaded');
      if (slack) failing.push(`slack: ${slack}`);
      if (issuer) {
        failing.push(`issuer: credentials refused (${issuer}); check CARD_API_KEY and CARD_API_AUTH_HEADER`);
      }
      return failing;
    },
  };
}

async function withDeadline(work: () => unknown, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    // A probe that settles after the deadline is ignored (it releases what it holds by itself).
    const running = Promise.resolve().then(work);
    running.catch(() => {});
    await Promise.race([running, late]);
  } finally {
    clearTimeout(timer);
  }
}
