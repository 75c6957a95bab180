/**
 * `npm run package`: one self-contained, minified ESM bundle per function (esbuild), zipped
 * deterministically, plus a manifest of each zip's SHA-256 and size. Each zip holds `index.mjs`
 * (Lambda handler `index.handler`) and its source map, and needs no node_modules.
 *
 * The AWS SDK is bundled, not taken from the Lambda runtime: on premises there is no runtime
 * SDK, and a pinned SDK keeps the bundle's behaviour identical everywhere.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import esbuildOptions from '../../esbuild.options.cjs';
import { buildZip } from './zip';

export interface BundledFunction {
  readonly function: string;
  readonly zip: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Size of the unzipped bundle (index.mjs), without its source map. */
  readonly bundleBytes: number;
}

export interface PackageManifest {
  readonly format: 'bds-package/1';
  readonly version: string;
  readonly runtime: 'nodejs20.x';
  readonly handler: 'index.handler';
  readonly functions: readonly BundledFunction[];
}

/** Functions and their handler sources: one per file in handlers/, named as in serverless.yml. */
export const FUNCTIONS: readonly string[] = ['extract-gim', 'extract-config', 'extract-gvp', 'aggregate', 'upload', 'dispatcher', 'worker'];

/** Bundles one function's handler into `index.mjs` (+ map); returns the files' contents. */
export async function bundleFunction(root: string, name: string, version: string): Promise<{ code: Uint8Array; map: Uint8Array }> {
  const result = await build({
    ...esbuildOptions.functionOptions(version),
    absWorkingDir: root,
    entryPoints: [join(root, 'handlers', `${name}.ts`)],
    outfile: 'index.mjs',
    write: false,
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('index.mjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('index.mjs.map'));
  if (code === undefined || map === undefined) throw new Error(`esbuild produced no bundle for ${name}`);
  return { code: code.contents, map: map.contents };
}

/** Bundles and zips every function into `outDir`, writing `manifest.json`. */
export async function packageFunctions(root: string, outDir: string): Promise<PackageManifest> {
  const version = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const functions: BundledFunction[] = [];
  for (const name of FUNCTIONS) {
    const { code, map } = await bundleFunction(root, name, version);
    const zip = buildZip([
      { name: 'index.mjs', data: code },
      { name: 'index.mjs.map', data: map },
    ]);
    const file = `${name}.zip`;
    await writeFile(join(outDir, file), zip);
    functions.push({
      function: name,
      zip: file,
      sha256: createHash('sha256').update(zip).digest('hex'),
      bytes: zip.length,
      bundleBytes: code.length,
    });
  }
  const manifest: PackageManifest = { format: 'bds-package/1', version, runtime: 'nodejs20.x', handler: 'index.handler', functions };
  await writeFile(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
