/**
 * The HTTP worker (`serve --api-thread worker`; started and restarted by http-thread.ts): a
 * worker thread that owns the API's listening socket, so accepting, parsing, routing, the RIB
 * reads of the route queries and their serialisation never wait for the ingest loop.
 *
 * - `/api/v1/lookup` and `/api/v1/routes` are registered by the same functions as on the main
 *   thread (address-lookup.ts, prefix-routes.ts: same schemas, checks and error shapes) and
 *   answered here by {@link answerQuery} over a {@link SharedRibReader} of the writer's
 *   shared memory (`workerData.descriptor`).
 * - Every other request (status, metrics, origins, communities, MRT export, watch, the page,
 *   unknown paths) is proxied over loopback HTTP to the main thread's app, which listens on
 *   127.0.0.1 only for this worker: the answer is piped back as it comes, so streamed answers
 *   (MRT export, server-sent events) keep their back-pressure, and a client that goes away
 *   closes the upstream request (a watch is removed, an export stops). A proxied request
 *   whose answer has not begun within the request timeout is 503 `UNAVAILABLE`; an
 *   unreachable main thread is 503 at once.
 * - A route query that finds no consistent version within the reader's time limit (the writer
 *   kept changing what it reads: a big more-specifics page while a table streams) is proxied
 *   too, so the client gets the main thread's answer rather than 413.
 *
 * Messages: the worker posts `{ type: 'listening', port }` once it accepts; the main thread
 * posts `'close'` to stop it (the server closes, in-flight requests finish, the thread exits).
 */
import { Agent, type ClientRequest, type IncomingHttpHeaders, type ServerResponse, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { destination, pino } from 'pino';
import { CommunityNames } from '../rib/community-names.js';
import { InconsistentReadError, SharedRibReader, type SharedRibDescriptor } from '../rib/shared-rib-reader.js';
import { type ApiErrorCode, errorBody, handleError } from './errors.js';
import { createRequestChecks } from './request-checks.js';
import { answerQuery, type RibQuery } from './rib-queries.js';
import { createBareApp, registerRouteQueries } from './server.js';
import { sharedQueryReader } from './shared-query-reader.js';

/** What http-thread.ts passes to the worker. */
export interface HttpWorkerData {
  readonly descriptor: SharedRibDescriptor;
  /** Where clients connect. */
  readonly host: string;
  readonly port: number;
  /** The main thread's app, listening on loopback for this worker. */
  readonly upstream: { readonly host: string; readonly port: number };
  readonly maxPageLimit: number;
  readonly requestTimeoutMs: number;
  /** The service's community names (CommunityNames.source), parsed again here. */
  readonly communityNames: { readonly text: string; readonly name: string };
  /** pino level of the service's logger. */
  readonly logLevel: string;
}

/** Message of the worker to the main thread. */
export interface HttpWorkerMessage {
  readonly type: 'listening';
  readonly address: string;
  readonly port: number;
}

/** Headers that belong to one connection, not to the message (RFC 9110 7.6.1): not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
  return out;
}

function sendError(response: ServerResponse, status: number, code: ApiErrorCode, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(errorBody(code, message)));
}

const data = workerData as HttpWorkerData;
const logger = pino({ level: data.logLevel, base: { service: 'ribstore', thread: 'http-worker' } }, destination(2));
const reader = SharedRibReader.open(data.descriptor);
const queries = sharedQueryReader(reader);
// Keep-alive: a proxied request reuses a loopback connection instead of opening one. An idle
// connection is dropped after 5 s, well before the main app's keep-alive timeout (72 s) could
// close it under a request being sent on it.
const agent = new Agent({ keepAlive: true, timeout: 5000 });

/** Forward a request no route of this app matches to the main thread's app, and its answer back. */
function proxy(request: FastifyRequest, reply: FastifyReply): void {
  void reply.hijack();
  const response = reply.raw;
  const headers = endToEnd(request.headers);
  const body = request.body === undefined || request.body === null ? undefined : typeof request.body === 'string' || Buffer.isBuffer(request.body) ? request.body : JSON.stringify(request.body);
  delete headers['content-length'];
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  headers['x-forwarded-for'] = request.ip;
  // Sent again once, on a new connection, when a kept-alive one turns out to be closed under it
  // (Node's documented race: the request went out on a socket the other side had just closed).
  // Only requests without side effects: the API's proxied writes are none today, but a retried
  // POST could apply twice.
  const idempotent = request.method === 'GET' || request.method === 'HEAD';
  let upstream = send();
  const timer = setTimeout(() => {
    upstream.destroy();
    sendError(response, 503, 'UNAVAILABLE', `the main thread did not answer within ${data.requestTimeoutMs} ms; retry`);
  }, data.requestTimeoutMs);
  // The client went away before the answer ended: stop the upstream request (a watch ends there too).
  response.on('close', () => {
    clearTimeout(timer);
    if (!response.writableFinished) upstream.destroy();
  });

  function send(retried = false): ClientRequest {
    const sent = httpRequest({ host: data.upstream.host, port: data.upstream.port, method: request.method, path: request.url, headers, agent }, (answer) => {
      clearTimeout(timer);
      response.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(response);
      answer.on('error', () => response.destroy());
    });
    sent.on('error', (error: NodeJS.ErrnoException) => {
      if (response.writableEnded || response.destroyed) return;
      if (!retried && idempotent && sent.reusedSocket && !response.headersSent) {
        logger.debug({ err: error, url: request.url }, 'kept-alive connection to the main thread was closed: sent again');
        upstream = send(true);
        return;
      }
      clearTimeout(timer);
      logger.warn({ err: error, url: request.url }, 'proxied request to the main thread failed');
      sendError(response, 503, 'UNAVAILABLE', `the main thread could not be reached (${error.code ?? error.message}); retry`);
    });
    sent.end(body);
    return sent;
  }
}

/**
 * A route query that cannot read one consistent version here (a large more-specifics page while
 * the writer applies a table) goes to the main thread, which reads without racing its own writes:
 * slower for that request, but an answer instead of 413.
 */
function answerError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof InconsistentReadError) {
    logger.debug({ url: request.url }, 'no consistent read in the HTTP worker: the main thread answers');
    proxy(request, reply);
    return;
  }
  handleError(error, request, reply);
}

const { app } = createBareApp({ logger, requestTimeoutMs: data.requestTimeoutMs, notFound: proxy, errorHandler: answerError });
const checks = createRequestChecks((name) => reader.knowsRouter(name), data.maxPageLimit);
const runQuery = (query: RibQuery): unknown => answerQuery(queries, query);
registerRouteQueries(app, runQuery, checks, CommunityNames.parse(data.communityNames.text, data.communityNames.name));
await app.listen({ host: data.host, port: data.port });
const bound = app.server.address() as AddressInfo;
parentPort!.postMessage({ type: 'listening', address: bound.address, port: bound.port } satisfies HttpWorkerMessage);
parentPort!.on('message', (message: unknown) => {
  if (message !== 'close') return;
  void app.close().finally(() => {
    agent.destroy();
    reader.close();
    parentPort!.close();
  });
});
