/**
 * What makes a new PIN unacceptable (SPEC §5 change-pin): not exactly four digits, all one digit,
 * or a straight run up or down. Runs do not wrap around (7890 and 2109 are accepted): the spec
 * names straight runs, and wrapping ones are not what people pick for "easy".
 */
export type PinProblem = 'format' | 'same-digit' | 'run-up' | 'run-down';

export const PIN_LENGTH = 4;

/** Why a PIN may not be set, or undefined when it may. Never returns or echoes the PIN itself. */
export function pinProblem(pin: string): PinProblem | undefined {
  if (!/^\d{4}$/.test(pin)) return 'format';
  const digits = [...pin].map(Number);
  const steps = digits.slice(1).map((digit, i) => digit - (digits[i] ?? 0));
  if (steps.every((step) => step === 0)) return 'same-digit';
  if (steps.every((step) => step === 1)) return 'run-up';
  if (steps.every((step) => step === -1)) return 'run-down';
  return undefined;
}

/** One sentence per problem, safe to show in a modal's field error: no digits, so it can never repeat a PIN. */
export const PIN_PROBLEM_TEXT: Record<PinProblem, string> = {
  format: 'The PIN must be exactly 4 digits.',
  'same-digit': 'That PIN is too easy to guess: it repeats one digit. Choose another.',
  'run-up': 'That PIN is too easy to guess: its digits run straight up. Choose another.',
  'run-down': 'That PIN is too easy to guess: its digits run straight down. Choose another.',
};
