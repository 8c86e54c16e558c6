import type { DestinationStream } from 'pino';

/** A pino destination that keeps every line, so a test can read what the bot logged. */
export interface CapturedLog {
  stream: DestinationStream;
  text(): string;
  lines(): Record<string, unknown>[];
}

export function captureLog(): CapturedLog {
  const chunks: string[] = [];
  return {
    stream: {
      write(message: string) {
        chunks.push(message);
      },
    },
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            return { msg: line };
          }
        }),
  };
}
