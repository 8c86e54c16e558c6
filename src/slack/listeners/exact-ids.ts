/**
 * A pattern matching exactly one of `ids`. Bolt runs every registered listener's filters for every
 * delivery, so each kind (commands, buttons, forms) registers one listener for all its ids and
 * picks the handler by id itself, instead of one listener per id.
 */
export function exactly(ids: readonly string[]): RegExp {
  return new RegExp(`^(?:${ids.map((id) => id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
}
