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

// ESM output still contains CommonJS dependencies (pg, mssql, the AWS SDK's deps) that call
// `require`; give them one. ssh2's WebAssembly loader (poly1305, for chacha20-poly1305 without
// the native binding) reads `__dirname` too, which ESM does not define.
const REQUIRE_SHIM =
  "import { createRequire as __bdsCreateRequire } from 'node:module'; import { fileURLToPath as __bdsFileURLToPath } from 'node:url'; " +
  "const require = __bdsCreateRequire(import.meta.url); const __filename = __bdsFileURLToPath(import.meta.url); const __dirname = __bdsFileURLToPath(new URL('.', import.meta.url));";

/** Bundles one function's handler into `index.mjs` (+ map); returns the files' contents. */
export async function bundleFunction(root: string, name: string, version: string): Promise<{ code: Uint8Array; map: Uint8Array }> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'handlers', `${name}.ts`)],
    outfile: 'index.mjs',
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    sourcemap: 'external',
    // Source paths in the map are relative and stable, so the map is reproducible too.
    sourceRoot: '',
    // Maps locate file:line in stack traces; the sources themselves are not shipped.
    sourcesContent: false,
    legalComments: 'none',
    banner: { js: REQUIRE_SHIM },
    define: { __BDS_VERSION__: JSON.stringify(version) },
    // pg's optional native binding is never used. ssh2's native parts are optional too: it loads
    // `cpu-features` and its own `sshcrypto.node` inside try/catch and falls back to Node's
    // crypto, which is what a bundle without node_modules runs on.
    external: ['pg-native', 'cpu-features', '*.node'],
    logLevel: 'error',
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
