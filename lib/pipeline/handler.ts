/**
 * The shape every handler shares: Lambda-style `handler(event, context)`, built with middy from
 * a short recipe — a name, the kind of event it takes (lib/pipeline/events.ts) and what it does
 * with the request. The event is read (events.ts `readRequest`) by a middleware before the body runs; the
 * day comes from the event (or, for a scheduled event, its `time`), never from module state, so
 * the same code runs under the local scheduler, serverless-offline and AWS Lambda.
 *
 * A handler returns a JSON summary whose `exitCode` carries the failures of individual days and
 * deliveries; an invalid event or configuration, or a held lock, makes the invocation fail (it
 * throws, naming the field), as Lambda reports a function error.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { BdsConfig } from '../config/types';
import { createLogger, type Logger } from '../log/logger';
import { SecretRegistry } from '../log/redact';
import { loadRuntime, type Runtime } from '../runtime/runtime';
import { clockFromEnv, type Clock } from '../time/clock';
import { readRequest, type BdsRequest, type EventKind, type Invocation } from './events';
import type { Dispatched } from './fan-out';
import { runDays, type RunOptions, type RunSummary } from './run-days';

export interface HandlerSummary extends RunSummary {
  readonly function: string;
  /** The dispatcher in fan-out mode: the worker invocations it made. */
  readonly dispatched?: readonly Dispatched[];
}

export type BdsHandler = (event: unknown, context?: Partial<Context>) => Promise<HandlerSummary>;

/**
 * The functions a program can run, by name, each loaded only when asked for. Programs (the
 * command line, the scheduler) are given one by their entry point instead of importing
 * handlers/ themselves, so that nothing under lib/ or app/ depends on the handlers.
 */
export interface HandlerCatalogue {
  /** The function names `serverless.yml` declares, in its order. */
  readonly names: readonly string[];
  /** The handler of one function, or undefined for a name that is not one. */
  load(name: string): Promise<BdsHandler | undefined>;
}

/** Middleware that logs each invocation's start, end and failure with the request id. */
export function invocationLog<R extends HandlerSummary>(options: { name: string; log: Logger }): MiddlewareObj<Invocation, R> {
  if (options.name.length === 0) throw new TypeError('invocationLog: name must not be empty');
  const started = new WeakMap<object, number>();
  return {
    before: (request) => {
      started.set(request, Date.now());
      options.log.info('invocation started', { function: options.name, requestId: request.context.awsRequestId });
    },
    after: (request) => {
      options.log.info('invocation finished', {
        function: options.name,
        requestId: request.context.awsRequestId,
        exitCode: request.response?.exitCode,
        durationMs: Date.now() - (started.get(request) ?? Date.now()),
      });
    },
    onError: (request) => {
      options.log.error('invocation failed', {
        function: options.name,
        requestId: request.context.awsRequestId,
        error: request.error,
      });
    },
  };
}

/** What a handler's body receives. */
export interface HandlerInput {
  readonly config: BdsConfig;
  /** The invocation's clock, file modes and secrets (made from the environment and `config`). */
  readonly runtime: Runtime;
  readonly request: BdsRequest;
  readonly log: Logger;
}

/** Where a handler takes its runtime from (tests replace the environment or the clock). */
export interface HandlerBoundary {
  /** BDS_CONFIG and BDS_NOW are read here at each invocation (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** "Now" instead of BDS_NOW or the system clock. */
  readonly clock?: Clock;
}

export interface HandlerRecipe<R extends HandlerSummary> {
  /** The function name (serverless.yml), in logs and summaries. */
  readonly name: string;
  readonly kind: EventKind;
  readonly run: (input: HandlerInput) => Promise<R>;
}

/**
 * Builds a handler from its recipe: invocation logging, then the event read into a request,
 * then the body. The runtime is made at each invocation, as the configuration is loaded (a
 * long-running process such as the scheduler sees an edited file, or BDS_NOW, at the next
 * firing); the secrets registry is the handler's, shared by its invocations, because its
 * logger is made once and must hide every secret any invocation loaded.
 */
export function createHandler<R extends HandlerSummary>(
  recipe: HandlerRecipe<R>,
  boundary: HandlerBoundary = {},
): (event: unknown, context?: Partial<Context>) => Promise<R> {
  const secrets = new SecretRegistry();
  const log = createLogger({ fields: { function: recipe.name }, secrets });
  const env = (): NodeJS.ProcessEnv => boundary.env ?? process.env;
  // Made by the event reading's loadConfig, then handed to the body; one per
  // invocation (the WeakMap forgets it with the invocation).
  const runtimes = new WeakMap<Invocation, Runtime>();
  const body = async (invocation: Invocation): Promise<R> => {
    const parsed = invocation.parsed;
    const runtime = runtimes.get(invocation);
    if (parsed === undefined || runtime === undefined) throw new TypeError(`${recipe.name}: the event was not read`);
    return recipe.run({ ...parsed, runtime, log });
  };
  // What the parseEvent middleware does, with the runtime made alongside the configuration.
  const reading: MiddlewareObj<Invocation, R> = {
    before: (request) => {
      // The clock is read before the configuration: the event's checks need "now" first, and a
      // broken BDS_NOW is reported whatever the file says.
      const clock = boundary.clock ?? clockFromEnv(env());
      request.event.parsed = readRequest(recipe.kind, request.event.event, clock.nowSeconds(), () => {
        const loaded = loadRuntime(undefined, { env: env(), clock, secrets });
        runtimes.set(request.event, loaded.runtime);
        return loaded.config;
      });
    },
  };
  const wrapped = middy<Invocation, R>(body)
    .use(invocationLog<R>({ name: recipe.name, log }))
    .use(reading);
  // The runtime passes a full Context; local callers (bds invoke, tests) may pass part of one or
  // none, and the handlers only read `awsRequestId` from it.
  return (event, context) => wrapped({ event }, (context ?? {}) as Context);
}

/**
 * A handler that runs `stages` for the days its event asks for. Failures of individual days are
 * reported in the returned summary and its `exitCode`.
 */
export function createStageHandler(name: string, stages: RunOptions['stages']): BdsHandler {
  return createHandler({
    name,
    kind: 'days',
    run: async ({ config, runtime, request, log }) => ({
      function: name,
      ...(await runDays({ config, runtime, targets: request.targets, log, stages, trigger: request.trigger })),
    }),
  });
}
