import os from 'node:os';

/** One measured figure beside its budget. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** `max`: the value must not exceed the budget; `min`: it must reach it. */
  kind: 'max' | 'min';
  budget: number;
  /** What else was seen (counts, the parts of a ratio), printed after the verdict. */
  note?: string;
  /** False when something besides the number failed (an answer not delivered): the figure does not hold. */
  valid?: boolean;
  /** A reading printed for context beside a budgeted figure, with no budget of its own. */
  reference?: boolean;
}

export function holds(figure: Figure): boolean {
  if (figure.valid === false || !Number.isFinite(figure.value)) return false;
  return figure.kind === 'max' ? figure.value <= figure.budget : figure.value >= figure.budget;
}

function format(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = unit === '' ? 2 : value >= 100 ? 0 : 1;
  const text = value.toFixed(digits);
  return unit === '' ? text : `${text} ${unit}`;
}

function budgetText(figure: Figure): string {
  return figure.reference ? '—' : `${figure.kind === 'max' ? '≤' : '≥'} ${format(figure.budget, figure.unit)}`;
}

function verdict(figure: Figure): string {
  if (figure.reference) return figure.valid === false ? 'broken' : 'ref';
  return holds(figure) ? 'holds' : 'FAILS';
}

/** `name  value  budget  holds|FAILS|ref  note`, aligned. */
export function figureLine(figure: Figure): string {
  return [
    figure.name.padEnd(62),
    format(figure.value, figure.unit).padStart(10),
    budgetText(figure).padStart(12),
    verdict(figure).padStart(7),
    figure.note ? `  ${figure.note}` : '',
  ].join('  ');
}

export function markdownTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => {
    const shown = f.reference ? verdict(f) : holds(f) ? 'holds' : '**fails**';
    return `| ${f.name} | ${format(f.value, f.unit)} | ${budgetText(f)} | ${shown} | ${f.note ?? ''} |`;
  });
  return ['| figure | value | budget | verdict | notes |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** The machine, for the record: figures mean little without it. */
export function machineLine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2));
  return [
    `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}`,
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `${os.type()} ${os.release()}`,
    `Node ${process.version}`,
    `load average ${load.join(' ')}`,
  ].join(', ');
}

/** `--key=value`, `--key value` and bare `--flag` (true) arguments. */
export function parseArgs(argv: readonly string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) continue;
    const [key, value] = arg.slice(2).split('=');
    const next = argv[i + 1];
    if (value !== undefined) args.set(key ?? '', value);
    else if (next !== undefined && !next.startsWith('--')) {
      args.set(key ?? '', next);
      i += 1;
    } else args.set(key ?? '', 'true');
  }
  return args;
}
