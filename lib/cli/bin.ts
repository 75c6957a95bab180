/** The process entry of `bds`: runs the command line and sets the exit code. */
import { main } from './main';

process.exitCode = await main(process.argv.slice(2));
