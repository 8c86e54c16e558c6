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

export function createReadiness(options: {
  /** Resolves (or returns) when a write would go through; throws otherwise. */
  databaseWritable: () => unknown;
  policyLoaded: () => boolean;
}): Readiness {
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
        await options.databaseWritable();
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
