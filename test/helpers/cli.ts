/** Runs the real `bds` command line as a child process, as an operator would. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BDS_BIN = fileURLToPath(new URL('../../bin/bds.mjs', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command argv...` with its output collected, and resolves when it exits. The environment
 * is the test process's, with `options.env` on top, unless `options.replaceEnv` says to use only
 * `options.env`.
 */
export function runCommand(
  command: string,
  argv: readonly string[],
  options: { env?: NodeJS.ProcessEnv; replaceEnv?: boolean; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: options.cwd,
      env: options.replaceEnv === true ? options.env : { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `bds ...args` and resolves when it exits. */
export function runBds(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return runCommand(process.execPath, [BDS_BIN, ...args], options);
}
