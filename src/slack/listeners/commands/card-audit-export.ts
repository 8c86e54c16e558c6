import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { WebClient } from '@slack/web-api';
import {
  type AuditLooker,
  recordAuditExport,
  recordAuditExportFailed,
  writeAuditExport,
} from '../../../domain/audit/audit-looks.js';
import type { AuditFilter } from '../../../domain/audit/audit-types.js';
import type { ListenerDeps } from '../../deps.js';
import {
  buildAuditUnavailable,
  buildExportComment,
  buildExportDone,
  buildExportEmpty,
  buildExportFailed,
  buildExportStarted,
} from '../../views/audit-replies.js';
import type { SlackReply } from '../../views/reply.js';

/** A large file on a slow link still gets there; a dead one does not hold the export for ever. */
const UPLOAD_TIMEOUT_MS = 10 * 60_000;

/** `cardops-audit-20260521-101503.csv`, from the time the export was asked for (UTC). */
export function auditExportFileName(now: Date): string {
  const iso = now.toISOString();
  return `cardops-audit-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}.csv`;
}

/** What went wrong at which step, in words safe to show and log: Slack's error code, never a URL or body. */
function problemOf(error: unknown): string {
  if (error && typeof error === 'object') {
    const data = (error as { data?: { error?: unknown } }).data;
    if (typeof data?.error === 'string') return data.error.slice(0, 80);
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code.slice(0, 80);
  }
  return 'unexpected error';
}

class UploadStepError extends Error {
  constructor(
    readonly step: string,
    readonly problem: string,
  ) {
    super(`${step}: ${problem}`);
    this.name = 'UploadStepError';
  }
}

async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof UploadStepError ? error : new UploadStepError(name, problemOf(error));
  }
}

/**
 * `/card-audit export`: counts the matching rows and says the export is under way, opens the DM
 * with the manager, writes the CSV to a private temporary file batch by batch (the store yields
 * between batches, so other requests keep being answered), records the export, then sends the file
 * through Slack's upload flow (files.getUploadURLExternal, a POST of the bytes, then
 * files.completeUploadExternal into the DM) and says how many rows were sent.
 */
export async function runAuditExport(
  deps: ListenerDeps,
  who: AuditLooker,
  request: { filter: AuditFilter; canonical: string },
  io: { reply: (message: SlackReply) => Promise<void>; client: WebClient },
): Promise<void> {
  const options = { sandbox: deps.sandbox };
  const { filter, canonical } = request;
  const askedAt = deps.now();
  const fileName = auditExportFileName(askedAt);
  const fileTime = `${askedAt.toISOString().slice(0, 19)}Z`;

  const count = await deps.audit.count(filter);
  if (count === 0) {
    try {
      await recordAuditExport(deps.audit, who, { canonical, rows: 0, fileTime: undefined });
    } catch {
      return io.reply(buildAuditUnavailable(options));
    }
    return io.reply(buildExportEmpty(filter, options));
  }
  await io.reply(buildExportStarted(count, filter, options));

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cardops-export-'));
  const file = path.join(dir, fileName);
  try {
    const dm = await step('conversations.open', async () => {
      const opened = await io.client.conversations.open({ users: who.actor });
      const id = opened.channel?.id;
      if (!id) throw new UploadStepError('conversations.open', 'no channel in the answer');
      return id;
    });

    const names = (ids: readonly string[]) => userNames(io.client, ids);
    const { rows, bytes } = await writeToFile(file, (write) =>
      writeAuditExport(deps.audit, { filter, canonical, names }, write),
    );

    try {
      await recordAuditExport(deps.audit, who, { canonical, rows, fileTime });
    } catch {
      // Not recorded, so not sent.
      return await io.reply(buildAuditUnavailable(options));
    }

    const target = await step('files.getUploadURLExternal', async () => {
      const answer = await io.client.files.getUploadURLExternal({ filename: fileName, length: bytes });
      if (!answer.upload_url || !answer.file_id)
        throw new UploadStepError('files.getUploadURLExternal', 'no upload URL');
      return { url: answer.upload_url, fileId: answer.file_id };
    });

    await step('file upload', async () => {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'text/csv; charset=utf-8', 'content-length': String(bytes) },
        body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
        duplex: 'half',
        signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new UploadStepError('file upload', `HTTP ${response.status}`);
    });

    await step('files.completeUploadExternal', () =>
      io.client.files.completeUploadExternal({
        files: [{ id: target.fileId, title: fileName }],
        channel_id: dm,
        initial_comment: buildExportComment(rows, filter, options),
      }),
    );

    deps.logger.info({ actor: who.actor, rows, bytes }, 'audit exported');
    await io.reply(buildExportDone(rows, fileName, options));
  } catch (error) {
    // Every export that was started ends in a row: delivered (exported), or not (failed).
    const failure =
      error instanceof UploadStepError
        ? { step: error.step, problem: error.problem }
        : { step: 'writing the file', problem: problemOf(error) };
    deps.logger.warn(failure, 'audit export not delivered');
    await recordAuditExportFailed(deps, who, { canonical, fileTime, ...failure });
    if (!(error instanceof UploadStepError)) throw error;
    await io.reply(buildExportFailed(error.step, error.problem, options));
  } finally {
    await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * Slack's names of user ids, for the export's `actor_name` column: users.info (users:read) for each,
 * at most 4 at a time. An id Slack does not answer for (no scope, a deleted user, a rate limit) is
 * left without a name; the export never fails for a name.
 */
async function userNames(client: WebClient, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const people = ids.filter((id) => /^[UW][A-Z0-9]+$/.test(id));
  let refused = false;
  for (let i = 0; i < people.length && !refused; i += 4) {
    await Promise.all(
      people.slice(i, i + 4).map(async (id) => {
        try {
          const answer = await client.users.info({ user: id });
          const name = answer.user?.real_name || answer.user?.name;
          if (name) names.set(id, name);
        } catch (error) {
          // No name: the id alone stays in the file. Without the scope, no point asking again.
          if (problemOf(error) === 'missing_scope') refused = true;
        }
      }),
    );
  }
  return names;
}

/** Writes chunks to a new private file, awaiting each write (back-pressure); returns rows and bytes. */
async function writeToFile(
  file: string,
  produce: (write: (chunk: string) => Promise<void>) => Promise<number>,
): Promise<{ rows: number; bytes: number }> {
  const handle = await fs.open(file, 'wx', 0o600);
  let bytes = 0;
  try {
    const rows = await produce(async (chunk) => {
      const data = Buffer.from(chunk, 'utf8');
      bytes += data.length;
      await handle.write(data);
    });
    return { rows, bytes };
  } finally {
    await handle.close();
  }
}
