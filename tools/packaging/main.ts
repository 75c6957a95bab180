/** Entry of `npm run package`: bundles, zips, reports sizes and cold starts. */
import { join } from 'node:path';
import { table } from '../../lib/text/table';
import { packageFunctions } from './bundle';
import { measureColdStart } from './cold-start';

const root = process.argv[2] ?? process.cwd();
const outDir = join(root, '.build', 'package');
const manifest = await packageFunctions(root, outDir);
const rows: (string | number)[][] = [];
for (const fn of manifest.functions) {
  const cold = await measureColdStart(join(outDir, fn.zip));
  rows.push([fn.function, (fn.bundleBytes / 1024).toFixed(0), (fn.bytes / 1024).toFixed(0), cold.importMs.toFixed(0), cold.firstInvocationMs.toFixed(0), cold.processMs.toFixed(0), fn.sha256.slice(0, 12)]);
}
process.stdout.write(`bds ${manifest.version}: ${manifest.functions.length} functions in ${outDir}\n\n`);
process.stdout.write(table(['function', 'bundle KiB', 'zip KiB', 'import ms', 'first call ms', 'process ms', 'sha256'], rows));
