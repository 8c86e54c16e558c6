import { z } from 'zod';
import { cleanText } from '../cards/card-command.js';
import { MAX_FILTER_TEXT, parseAuditFilters, tokenize } from './audit-filters.js';
import type { AuditFilter } from './audit-types.js';

/** What `/card-audit <text>` asks for, once parsed; `invalid` carries a specific, safe explanation. */
export type AuditCommand =
  | { kind: 'query'; filter: AuditFilter; canonical: string }
  | { kind: 'export'; filter: AuditFilter; canonical: string }
  | { kind: 'verify' }
  | { kind: 'help' }
  | { kind: 'invalid'; problem: string };

/** Parses the text of `/card-audit`; relative times are resolved against `now`. Never throws. */
export function parseAuditCommand(rawText: string, now: Date): AuditCommand {
  const text = cleanText(rawText);
  if (text.length > MAX_FILTER_TEXT) {
    return { kind: 'invalid', problem: `The filters are too long (at most ${MAX_FILTER_TEXT} characters).` };
  }
  const tokens = tokenize(text);
  const word = tokens[0]?.toLowerCase();
  if (word === 'help' || word === '?') return { kind: 'help' };
  if (word === 'verify') {
    if (tokens.length > 1) return { kind: 'invalid', problem: 'verify checks the whole chain and takes no filters.' };
    return { kind: 'verify' };
  }
  const exporting = word === 'export';
  const parsed = parseAuditFilters(exporting ? tokens.slice(1) : tokens, now);
  if (!parsed.ok) return { kind: 'invalid', problem: parsed.problem };
  return { kind: exporting ? 'export' : 'query', filter: parsed.filter, canonical: parsed.canonical };
}

/**
 * Where a Next button leads: the filter (times absolute), the keyset cursor (the id of the last
 * row shown: the next page holds older rows only, so events arriving meanwhile shift nothing)
 * and the page number. A button value can be tampered with: it is re-parsed and re-checked on
 * every click, and holds nothing secret.
 */
export interface AuditPageRef {
  canonical: string;
  before: number;
  page: number;
}

const pageRefSchema = z.strictObject({
  q: z.string().max(MAX_FILTER_TEXT),
  b: z.number().int().positive(),
  p: z.number().int().min(2).max(1_000_000),
});

export function encodeAuditPageRef(ref: AuditPageRef): string {
  return JSON.stringify({ q: ref.canonical, b: ref.before, p: ref.page });
}

/** The page a button value points at, with its filter re-parsed; undefined when the value is not one. */
export function decodeAuditPageRef(
  value: string | undefined,
  now: Date,
): { ref: AuditPageRef; filter: AuditFilter } | undefined {
  if (value === undefined || value.length > 2000) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return undefined;
  }
  const parsed = pageRefSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const filters = parseAuditFilters(tokenize(parsed.data.q), now);
  if (!filters.ok) return undefined;
  return { ref: { canonical: filters.canonical, before: parsed.data.b, page: parsed.data.p }, filter: filters.filter };
}
