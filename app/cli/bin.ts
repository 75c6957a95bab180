/** The process entry of `bds`: runs the command line with the project's handlers and sets the exit code. */
import { HANDLER_CATALOGUE } from '../../handlers/load';
import { main } from './main';

// `bds status | head -1`: the reader went away. What it did not want is not an error of ours;
// end quietly instead of dying with an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The entry point is where the program meets the functions: the command line gets the handlers
// from here rather than importing them.
process.exitCode = await main(process.argv.slice(2), { handlers: HANDLER_CATALOGUE });
