/**
 * A small HTTP proxy to put in front of s3rver, whose behaviour a test switches while the
 * product talks to it: pass requests through, refuse them (close the socket), answer 500 with an
 * S3 XML error, or hold each request for a while before passing it on. A fault can hit every
 * request or only the ones a filter picks, for ever or for the next few; and it can strike after
 * the request reached the store (the store acted, its answer is lost), the case that tempts a
 * client to send twice. Every request is recorded with what the proxy did to it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does to a request. */
export type ProxyBehaviour =
  | { readonly kind: 'pass' }
  /** Closes the connection without an answer; with `afterForward`, once the store has answered. */
  | { readonly kind: 'refuse'; readonly afterForward?: boolean }
  /** Answers `status` (default 500) with an S3 error document; with `afterForward`, once the store has answered. */
  | { readonly kind: 'error'; readonly status?: number; readonly code?: string; readonly afterForward?: boolean }
  /** Waits `ms` milliseconds, then passes the request on. */
  | { readonly kind: 'delay'; readonly ms: number };

/** The parts of a request a filter sees. */
export interface ProxyRequest {
  readonly method: string;
  readonly path: string;
}

/** One request as the proxy saw it. */
export interface ProxyRecord extends ProxyRequest {
  /** `pass` when the request went through untouched, else the kind of fault applied. */
  readonly applied: ProxyBehaviour['kind'];
  /** True when the store received the request (passed, delayed, or a fault after forwarding). */
  readonly forwarded: boolean;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to configure instead of the store's. */
  readonly endpoint: string;
  /**
   * Applies `behaviour` from now on to the requests `only` picks (default: all); after `times`
   * of them (default: no limit) the proxy passes everything again. Other requests pass.
   */
  set(behaviour: ProxyBehaviour, options?: { readonly only?: (request: ProxyRequest) => boolean; readonly times?: number }): void;
  /** Every request seen so far, in arrival order. */
  records(): readonly ProxyRecord[];
  /** Forgets the records (not the behaviour). */
  clearRecords(): void;
  close(): Promise<void>;
}

interface Rule {
  readonly behaviour: ProxyBehaviour;
  readonly only: (request: ProxyRequest) => boolean;
  remaining: number;
}

function s3ErrorDocument(code: string, path: string, id: number): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>injected by the test proxy</Message><Resource>${path}</Resource>` +
    `<RequestId>fault-proxy-${id}</RequestId></Error>`
  );
}

/** Reads and discards a request or response body, resolving when it has ended. */
function drain(message: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    message.on('end', resolve);
    message.on('error', () => resolve());
    message.on('close', () => resolve());
    message.resume();
  });
}

/** Starts the proxy on a free loopback port, passing everything to `upstream` until told otherwise. */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  let rule: Rule | undefined;
  const seen: ProxyRecord[] = [];
  const sockets = new Set<Socket>();
  let ids = 0;

  /** Sends the request to the store; `respond` gets its answer (or undefined if it could not be reached). */
  const forward = (req: IncomingMessage, respond: (answer: IncomingMessage | undefined) => void): void => {
    const out = httpRequest({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      // Unchanged, Host included: the client signed them (SigV4) for the proxy's address.
      headers: req.headers,
      agent: false,
    });
    out.on('response', respond);
    out.on('error', () => respond(undefined));
    req.pipe(out);
  };

  const pass = (req: IncomingMessage, res: ServerResponse): void => {
    forward(req, (answer) => {
      if (answer === undefined) {
        res.destroy();
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
  };

  const fail = (req: IncomingMessage, res: ServerResponse, behaviour: Extract<ProxyBehaviour, { kind: 'refuse' | 'error' }>): void => {
    if (behaviour.kind === 'refuse') {
      req.socket.destroy();
      return;
    }
    const body = s3ErrorDocument(behaviour.code ?? 'InternalError', req.url ?? '/', (ids += 1));
    res.writeHead(behaviour.status ?? 500, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  };

  const server = createServer((req, res) => {
    const request: ProxyRequest = { method: req.method ?? 'GET', path: req.url ?? '/' };
    const active = rule;
    const applies = active !== undefined && active.remaining > 0 && active.only(request);
    if (!applies) {
      seen.push({ ...request, applied: 'pass', forwarded: true });
      pass(req, res);
      return;
    }
    active.remaining -= 1;
    const behaviour = active.behaviour;
    switch (behaviour.kind) {
      case 'pass':
        seen.push({ ...request, applied: 'pass', forwarded: true });
        pass(req, res);
        return;
      case 'delay':
        seen.push({ ...request, applied: 'delay', forwarded: true });
        // The body waits in the socket's buffers meanwhile, as it would behind a slow link.
        req.pause();
        setTimeout(() => pass(req, res), behaviour.ms);
        return;
      case 'refuse':
      case 'error':
        seen.push({ ...request, applied: behaviour.kind, forwarded: behaviour.afterForward === true });
        if (behaviour.afterForward === true) {
          forward(req, (answer) => {
            if (answer === undefined) fail(req, res, behaviour);
            else void drain(answer).then(() => fail(req, res, behaviour));
          });
        } else {
          void drain(req).then(() => fail(req, res, behaviour));
        }
        return;
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    set(behaviour, options = {}) {
      rule = { behaviour, only: options.only ?? (() => true), remaining: options.times ?? Number.POSITIVE_INFINITY };
    },
    records() {
      return [...seen];
    },
    clearRecords() {
      seen.length = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
