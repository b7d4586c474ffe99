/**
 * Test helpers: a WebSocket client that queues messages and waits for matching ones.
 *
 * @module
 */

/** A test WebSocket client. */
export interface TestSocket {
  readonly socket: WebSocket;
  /** Every text message received so far. */
  readonly messages: string[];
  /** Resolves with the close event. */
  readonly closed: Promise<CloseEvent>;
  /** Waits for a message (after `from`) satisfying `pred`; rejects after `ms` real ms. */
  waitFor(
    pred: (msg: string) => boolean,
    ms?: number,
    from?: number,
  ): Promise<string>;
  /** Sends a JSON control message. */
  send(body: unknown): void;
  /** Closes and waits for the close event. */
  close(): Promise<void>;
}

/** Opens a WebSocket to `url` and resolves once it is open. */
export async function openSocket(url: string): Promise<TestSocket> {
  const socket = new WebSocket(url);
  const messages: string[] = [];
  const waiters = new Set<() => void>();
  socket.onmessage = (e) => {
    messages.push(String(e.data));
    for (const w of [...waiters]) w();
  };
  const closed = new Promise<CloseEvent>((resolve) => {
    socket.onclose = (e) => {
      resolve(e);
      for (const w of [...waiters]) w();
    };
  });
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`Cannot open ${url}`));
  });
  socket.onerror = () => {};
  return {
    socket,
    messages,
    closed,
    waitFor(pred, ms = 3000, from = 0): Promise<string> {
      return new Promise((resolve, reject) => {
        let i = from;
        const check = (): void => {
          for (; i < messages.length; i++) {
            if (pred(messages[i]!)) {
              cleanup();
              resolve(messages[i]!);
              return;
            }
          }
          if (socket.readyState === WebSocket.CLOSED) {
            cleanup();
            reject(new Error("socket closed while waiting"));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching message within ${ms} ms`));
        }, ms);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    send(body: unknown): void {
      socket.send(JSON.stringify(body));
    },
    async close(): Promise<void> {
      if (socket.readyState !== WebSocket.CLOSED) socket.close();
      await closed;
    },
  };
}

/** Resolves after `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
