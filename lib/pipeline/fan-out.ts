/**
 * Fan-out: the dispatcher hands each tenant with days due to its own `worker` invocation through
 * the Lambda Invoke API, asynchronously (`InvocationType: Event`), instead of processing it in
 * its own process. A tenant whose invocation cannot be made is reported; the others go on.
 * What each worker then does is in its own logs, run record and watermarks.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { DispatchConfig } from '../config/types';
import { describeError } from '../errors';
import type { Logger } from '../log/logger';
import type { RunTrigger } from '../state/run-record';
import type { Target } from './targets';

export interface Dispatched {
  readonly tenant: string;
  /** Days due when the worker was invoked. */
  readonly days: number;
  readonly ok: boolean;
  /** The Invoke API's status (202 for an accepted asynchronous invocation). */
  readonly statusCode?: number;
  readonly error?: string;
}

/** The event a worker receives. */
export interface WorkerEvent {
  readonly tenant: string;
  /** What started the dispatcher, so the worker's run record is kept with its kind. */
  readonly trigger: RunTrigger;
}

/** Invokes the worker once per tenant with days due. Never throws for one tenant's failure. */
export async function fanOut(dispatch: DispatchConfig, targets: readonly Target[], log: Logger, trigger: RunTrigger): Promise<Dispatched[]> {
  const functionName = dispatch.functionName;
  if (functionName === undefined) throw new TypeError('dispatch.functionName is required in lambda mode');
  const client = new LambdaClient({
    ...(dispatch.region === undefined ? {} : { region: dispatch.region }),
    ...(dispatch.endpoint === undefined ? {} : { endpoint: dispatch.endpoint }),
  });
  const results: Dispatched[] = [];
  try {
    for (const target of targets) {
      if (target.dates.length === 0) continue;
      const payload: WorkerEvent = { tenant: target.tenant.id, trigger };
      try {
        const response = await client.send(
          new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }),
        );
        const ok = response.StatusCode === 202 && response.FunctionError === undefined;
        results.push({ tenant: target.tenant.id, days: target.dates.length, ok, ...(response.StatusCode === undefined ? {} : { statusCode: response.StatusCode }) });
        log.info('worker invoked', { tenant: target.tenant.id, days: target.dates.length, statusCode: response.StatusCode, function: functionName });
      } catch (error) {
        const message = describeError(error);
        log.error('worker invocation failed', { tenant: target.tenant.id, function: functionName, error });
        results.push({ tenant: target.tenant.id, days: target.dates.length, ok: false, error: message });
      }
    }
  } finally {
    client.destroy();
  }
  return results;
}
