/**
 * The shape every handler shares: Lambda-style `handler(event, context)`, wrapped with middy.
 * A handler validates its event, runs the library, and returns a JSON summary. The day comes
 * from the event (or, for a scheduled event, its `time`), never from module state, so the same
 * code runs under the local scheduler, serverless-offline and AWS Lambda.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { loadRuntimeConfig } from '../config/runtime';
import { describeError } from '../errors';
import { createLogger, type Logger } from '../log/logger';
import type { Dispatched } from './fan-out';
import { runDays, type RunOptions, type RunSummary } from './run-days';
import { isScheduledEvent, targetsFromEvent } from './targets';
import { nowSeconds } from '../time/clock';

export interface HandlerSummary extends RunSummary {
  readonly function: string;
  /** The dispatcher in fan-out mode: the worker invocations it made. */
  readonly dispatched?: readonly Dispatched[];
}

export type BdsHandler = (event: unknown, context?: Partial<Context>) => Promise<HandlerSummary>;

/** Middleware that logs each invocation's start, end and failure with the request id. */
export function invocationLog(options: { name: string; log: Logger }): MiddlewareObj<unknown, HandlerSummary, Error, Context> {
  if (options.name.length === 0) throw new TypeError('invocationLog: name must not be empty');
  const started = new WeakMap<object, number>();
  return {
    before: (request) => {
      started.set(request, Date.now());
      options.log.info('invocation started', { function: options.name, requestId: request.context?.awsRequestId });
    },
    after: (request) => {
      options.log.info('invocation finished', {
        function: options.name,
        requestId: request.context?.awsRequestId,
        exitCode: request.response?.exitCode,
        durationMs: Date.now() - (started.get(request) ?? Date.now()),
      });
    },
    onError: (request) => {
      options.log.error('invocation failed', {
        function: options.name,
        requestId: request.context?.awsRequestId,
        error: describeError(request.error),
      });
    },
  };
}

/**
 * Creates a handler that runs `stages` for the days its event asks for. Invalid events and
 * configurations throw (the invocation fails with a message naming the field); failures of
 * individual days are reported in the returned summary and its `exitCode`.
 */
export function createStageHandler(name: string, stages: RunOptions['stages']): BdsHandler {
  const log = createLogger({ fields: { function: name } });
  const run = async (event: unknown): Promise<HandlerSummary> => {
    const config = loadRuntimeConfig();
    const targets = targetsFromEvent(config, event, nowSeconds());
    const trigger = typeof event === 'object' && event !== null && isScheduledEvent(event) ? 'scheduled' : 'manual';
    const summary = await runDays({ config, targets, log, stages, trigger });
    return { function: name, ...summary };
  };
  const wrapped = middy<unknown, HandlerSummary, Error, Context>(run).use(invocationLog({ name, log }));
  return (event, context) => wrapped(event, (context ?? {}) as Context);
}
