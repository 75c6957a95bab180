import { BdsError } from '../../lib/errors';

/**
 * The schedules cannot be used: a bad expression, an unreadable or malformed serverless.yml, a
 * schedule for a function BDS does not have. The scheduler refuses to start (the CLI exits 78,
 * "invalid configuration": serverless.yml is where the schedules are configured).
 */
export class SchedulerConfigError extends BdsError {}

/** A schedule expression that is not valid (rate(...) or cron(...) as EventBridge reads them). */
export class ScheduleExpressionError extends SchedulerConfigError {
  constructor(
    /** The expression as written. */
    readonly expression: string,
    /** What is wrong with it, and where possible how to write it instead. */
    readonly problem: string,
    /** The function whose schedule it is, when known. */
    readonly functionName?: string,
    /** `file`: where the expression was found (serverless.yml), named first in the message. */
    options?: { cause?: unknown; file?: string },
  ) {
    super(
      (options?.file === undefined ? '' : `${options.file}: `) +
        `${functionName === undefined ? '' : `function "${functionName}": `}invalid schedule expression ` +
        `${JSON.stringify(expression)}: ${problem}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
  }
}

/** serverless.yml cannot be read, is not valid YAML, or declares schedules the scheduler cannot run. */
export class ServerlessFileError extends SchedulerConfigError {
  constructor(
    /** The file (a path, or a label for text that did not come from a file). */
    readonly file: string,
    /** What is wrong. */
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}`, options);
  }
}

/**
 * croner refused the pattern BDS translated a valid AWS cron expression into, or failed while
 * computing its next firing. A programming error (the translation is wrong, or croner
 * changed), not a configuration one: the expression itself passed BDS's AWS validation.
 */
export class CronEngineError extends BdsError {
  constructor(
    /** The AWS expression as written. */
    readonly expression: string,
    /** The croner pattern it was translated into. */
    readonly pattern: string,
    cause: unknown,
  ) {
    super(
      `internal error: the cron engine cannot compute ${JSON.stringify(expression)} ` +
        `(as croner pattern ${JSON.stringify(pattern)})`,
      { cause },
    );
  }
}
