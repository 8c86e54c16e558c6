import { Agent, type Dispatcher } from 'undici';

/**
 * One HTTP exchange through an undici dispatcher (a keep-alive pool), the answer read whole into
 * memory. Built on undici's `dispatch` handler API rather than `request`: the answers here are
 * small JSON bodies, and `request`'s stream (a Readable per answer) cost more CPU than the
 * exchange. Shared by the issuer's axios adapter and the Slack clients' fetch.
 */

/** A keep-alive connection pool per origin (http and https alike); it follows no redirect. */
export function keepAlivePool(connections = 64): Dispatcher {
  return new Agent({ connections, keepAliveTimeout: 30_000 });
}

export interface BufferedRequest {
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** A larger answer is cut off and the call fails with code `ERR_ANSWER_TOO_LARGE`. */
  maxBytes?: number;
  /** Whole-call deadline in ms (queueing, connect, headers, body); fails with code `ETIMEDOUT`. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

export interface BufferedAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** An error carrying a Node-style code, and nothing of the request or the answer. */
export class HttpCallError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'HttpCallError';
  }
}

export function sendBuffered(dispatcher: Dispatcher, url: string, request: BufferedRequest): Promise<BufferedAnswer> {
  const target = new URL(url);
  return new Promise<BufferedAnswer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let status = 0;
    let statusText = '';
    let headers: Record<string, string | string[] | undefined> = {};
    let controller: Dispatcher.DispatchController | undefined;
    let failure: Error | undefined;
    let settled = false;

    const finish = (error: Error | undefined, answer?: BufferedAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      request.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(answer as BufferedAnswer);
    };
    // Stops the exchange with `error`: at once if it has started, else as soon as it does.
    const stop = (error: Error) => {
      failure ??= error;
      controller?.abort(error);
      finish(error);
    };
    // The signal's own reason (a fetch caller's TimeoutError, say), as fetch would reject with it.
    const onAbort = () => {
      const reason: unknown = request.signal?.reason;
      stop(reason instanceof Error ? reason : new HttpCallError('the call was cancelled', 'ERR_CANCELED'));
    };
    const deadline =
      request.deadlineMs === undefined
        ? undefined
        : setTimeout(
            () => stop(new HttpCallError(`no answer within ${request.deadlineMs} ms`, 'ETIMEDOUT')),
            request.deadlineMs,
          );
    if (request.signal?.aborted) {
      onAbort();
      return;
    }
    request.signal?.addEventListener('abort', onAbort, { once: true });

    dispatcher.dispatch(
      {
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
      },
      {
        onRequestStart(started) {
          controller = started;
          if (failure) started.abort(failure);
        },
        onResponseStart(_c, statusCode, answerHeaders, statusMessage) {
          if (statusCode < 200) return; // 1xx: the real answer follows
          status = statusCode;
          statusText = statusMessage ?? '';
          headers = answerHeaders;
        },
        onResponseData(current, chunk) {
          size += chunk.length;
          if (request.maxBytes !== undefined && size > request.maxBytes) {
            const tooLarge = new HttpCallError(`answer larger than ${request.maxBytes} bytes`, 'ERR_ANSWER_TOO_LARGE');
            failure ??= tooLarge;
            current.abort(tooLarge);
            finish(tooLarge);
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd() {
          finish(undefined, { status, statusText, headers, body: Buffer.concat(chunks) });
        },
        onResponseError(_c, error) {
          finish(failure ?? error);
        },
      },
    );
  });
}
