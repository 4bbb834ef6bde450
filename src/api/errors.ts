/**
 * How the HTTP API reports errors: always `{ "error": { "code", "message" } }`, with the
 * status chosen by the error's stable code. Bad input is a 4xx; only a fault of ribstore
 * itself is a 500 (and its message is not shown to the client, only logged). Fastify's own
 * errors (bad URL encoding, failed validation) and Node's HTTP parser errors (malformed
 * request, header too large, request timeout) get the same shape.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RibstoreError, type ErrorCode } from '../errors.js';

/**
 * Codes the API answers with: every {@link ErrorCode}, plus `NOT_FOUND` (no such route,
 * router or resource), `INTERNAL_ERROR`, `REQUEST_TIMEOUT` and `UNAVAILABLE` (503: the reader
 * worker answering the request died or did not answer in time; retrying is safe).
 */
export type ApiErrorCode = ErrorCode | 'NOT_FOUND' | 'INTERNAL_ERROR' | 'REQUEST_TIMEOUT' | 'UNAVAILABLE';

/** The body of every error answer. */
export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string };
}

/** An error raised by a route handler with an explicit HTTP status. */
export class ApiError extends Error {
  readonly statusCode: number;
  readonly code: ApiErrorCode;
  constructor(statusCode: number, code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** The HTTP status for each {@link ErrorCode}. */
export const STATUS_OF_CODE: Record<ErrorCode, number> = {
  INVALID_ADDRESS: 400,
  INVALID_PREFIX: 400,
  INVALID_ARGUMENT: 400,
  DECODE_ERROR: 400,
  ENCODE_ERROR: 500,
  LIMIT_EXCEEDED: 413,
  FILE_ERROR: 500,
  READ_ONLY: 409,
};

/** Build an error body. */
export function errorBody(code: ApiErrorCode, message: string): ApiErrorBody {
  return { error: { code, message } };
}

/** JSON schema of {@link ApiErrorBody}, used in every route's responses. */
export const errorSchema = {
  type: 'object',
  description: 'Every error answer has this shape; `code` is stable, `message` is for people.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

/**
 * The error answers a route may give, for its response schema: bad input, unknown thing,
 * and what the server or Node refuse before a handler runs (request timeout, body or
 * headers too large), and internal errors.
 */
export const errorResponses = { 400: errorSchema, 404: errorSchema, 408: errorSchema, 413: errorSchema, 431: errorSchema, 500: errorSchema } as const;

/** The message of every 500 answer: what went wrong is in the server log only. */
export const INTERNAL_MESSAGE = 'internal error; see the server log';

/**
 * Fastify error handler (also Fastify's `frameworkErrors` hook, which sees errors raised before
 * routing such as `FST_ERR_BAD_URL`): maps any thrown error to a status and an {@link ApiErrorBody}.
 */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof ApiError) {
    void reply.status(error.statusCode).send(errorBody(error.code, error.message));
    return;
  }
  if (error instanceof RibstoreError) {
    const status = STATUS_OF_CODE[error.code] ?? 500;
    if (status >= 500) {
      // The code stays (it is stable and says which kind of fault); the message may name
      // server paths or internals, so it goes to the log only.
      request.log.error({ err: error }, 'request failed');
      void reply.status(status).send(errorBody(error.code, INTERNAL_MESSAGE));
      return;
    }
    void reply.status(status).send(errorBody(error.code, error.message));
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const first = fastifyError.validation[0];
    const unknown = first?.keyword === 'additionalProperties' ? (first.params as { additionalProperty?: string }).additionalProperty : undefined;
    const message =
      unknown !== undefined
        ? `unknown ${fastifyError.validationContext === 'querystring' ? 'query parameter' : 'field'} "${unknown}"`
        : `${fastifyError.validationContext ?? 'request'} ${fastifyError.message.replace(/^(querystring|params|body)\s*/, '')}`;
    void reply.status(400).send(errorBody('INVALID_ARGUMENT', message));
    return;
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    void reply.status(fastifyError.statusCode).send(errorBody('INVALID_ARGUMENT', fastifyError.message));
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.status(500).send(errorBody('INTERNAL_ERROR', INTERNAL_MESSAGE));
}

/**
 * Node's HTTP parser errors, answered before any route sees the request (Fastify's
 * `clientErrorHandler`): a request that did not arrive in time is 408 `REQUEST_TIMEOUT`, a
 * header block over Node's limit 431 `LIMIT_EXCEEDED`, anything else unparsable 400
 * `INVALID_ARGUMENT`. The connection is closed after the answer.
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A client that went away (or a socket already answered) gets nothing more.
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  let status = 400;
  let body = errorBody('INVALID_ARGUMENT', 'malformed HTTP request');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    body = errorBody('REQUEST_TIMEOUT', 'the request did not arrive completely in time');
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    body = errorBody('LIMIT_EXCEEDED', 'request header fields are too large');
  }
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
