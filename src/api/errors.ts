/**
 * How the HTTP API reports errors: always `{ "error": { "code", "message" } }`, with the
 * status chosen by the error's stable code. Bad input is a 4xx; only a fault of ribstore
 * itself is a 500 (and its message is not shown to the client, only logged).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RibstoreError, type ErrorCode } from '../errors.js';

/**
 * Codes the API answers with: every {@link ErrorCode}, plus `NOT_FOUND` (no such route,
 * router or resource) and `INTERNAL_ERROR`.
 */
export type ApiErrorCode = ErrorCode | 'NOT_FOUND' | 'INTERNAL_ERROR';

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

/** Fastify error handler: maps any thrown error to a status and an {@link ApiErrorBody}. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof ApiError) {
    void reply.status(error.statusCode).send(errorBody(error.code, error.message));
    return;
  }
  if (error instanceof RibstoreError) {
    const status = STATUS_OF_CODE[error.code] ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).send(errorBody(error.code, error.message));
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    void reply.status(400).send(errorBody('INVALID_ARGUMENT', `${fastifyError.validationContext ?? 'request'} ${fastifyError.message.replace(/^(querystring|params|body)\s*/, '')}`));
    return;
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    void reply.status(fastifyError.statusCode).send(errorBody('INVALID_ARGUMENT', fastifyError.message));
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.status(500).send(errorBody('INTERNAL_ERROR', 'internal error; see the server log'));
}
