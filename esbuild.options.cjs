// @ts-check
// The one place where BDS's esbuild options live. Every bundle is made from these: the `bds`
// command line (scripts/build.mjs), the benchmark (bench/bench.mjs), the packager's Lambda zips
// (tools/packaging/bundle.ts, through scripts/package.mjs) and serverless-offline's bundles
// (serverless.yml's `custom.esbuild.config` points here). CommonJS because serverless-esbuild
// loads its config file with `require`.
'use strict';

const { readFileSync } = require('node:fs');
const path = require('node:path');

const root = __dirname;

/** The project's version, compiled into every bundle (lib/version.ts reads it). */
function projectVersion() {
  /** @type {unknown} */
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return String(typeof manifest === 'object' && manifest !== null && 'version' in manifest ? manifest.version : undefined);
}

// ESM output still contains CommonJS dependencies (pg, mssql, the AWS SDK's deps) that call
// `require`; a self-contained bundle gives them one. ssh2's WebAssembly loader (poly1305, for
// chacha20-poly1305 without the native binding) reads `__dirname` too, which ESM does not define.
const REQUIRE_SHIM =
  "import { createRequire as __bdsCreateRequire } from 'node:module'; import { fileURLToPath as __bdsFileURLToPath } from 'node:url'; " +
  "const require = __bdsCreateRequire(import.meta.url); const __filename = __bdsFileURLToPath(import.meta.url); const __dirname = __bdsFileURLToPath(new URL('.', import.meta.url));";

/**
 * Native add-ons cannot live in a bundle. The ones our dependencies have are optional: ssh2 loads
 * `cpu-features` and its own `sshcrypto.node` inside try/catch and falls back to Node's crypto.
 * Each is replaced by a module that throws when loaded, so the fallback is taken, as on a machine
 * where the add-on was never built. (An empty module would not do: ssh2 would take `{}` for a
 * binding that exists.) A plugin rather than `external`: serverless-esbuild would try to install
 * externals as packages.
 * @type {import('esbuild').Plugin}
 */
const withoutNativeAddOns = {
  name: 'bds-without-native-add-ons',
  setup(build) {
    build.onResolve({ filter: /^cpu-features$|\.node$/ }, (args) => ({ path: args.path, namespace: 'bds-native-add-on' }));
    build.onLoad({ filter: /.*/, namespace: 'bds-native-add-on' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path}: native add-ons are left out of BDS bundles`)});`,
      loader: 'js',
    }));
  },
};

/**
 * What every bundle shares.
 * @param {string} version
 * @returns {import('esbuild').BuildOptions}
 */
function common(version) {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    define: { __BDS_VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
  };
}

/**
 * A program that runs inside the installed project (the CLI, the benchmark, the packager): its
 * dependencies stay external and resolve from node_modules.
 * @returns {import('esbuild').BuildOptions}
 */
function programOptions() {
  return { ...common(projectVersion()), packages: 'external', sourcemap: true };
}

/**
 * A self-contained function bundle (no node_modules beside it), as shipped in a zip.
 * @param {string} version
 * @returns {import('esbuild').BuildOptions}
 */
function functionOptions(version) {
  return {
    ...common(version),
    minify: true,
    sourcemap: 'external',
    // Source paths in the map are relative and stable, so the map is reproducible too.
    sourceRoot: '',
    // Maps locate file:line in stack traces; the sources themselves are not shipped.
    sourcesContent: false,
    legalComments: 'none',
    banner: { js: REQUIRE_SHIM },
    // pg's optional native binding is never used.
    external: ['pg-native'],
    plugins: [withoutNativeAddOns],
    logLevel: 'error',
  };
}

/**
 * serverless-esbuild's options (it calls this with the serverless instance): the function
 * bundles, unminified for readable stack traces while developing, plus the plugin's own keys.
 * The work folder: `serverless package` deletes it when done, so a running serverless-offline (a
 * test, a developer's `npm run offline`) can point it elsewhere and keep its bundles with
 * BDS_ESBUILD_WORK_FOLDER, relative to serverless.yml.
 */
function serverlessOptions() {
  const { minify: _minify, sourceRoot: _root, sourcesContent: _contents, legalComments: _legal, ...bundle } = functionOptions(projectVersion());
  return {
    ...bundle,
    minify: false,
    sourcemap: true,
    outputFileExtension: '.mjs',
    outputWorkFolder: process.env.BDS_ESBUILD_WORK_FOLDER || '.esbuild',
    exclude: [],
  };
}

module.exports = serverlessOptions;
module.exports.projectVersion = projectVersion;
module.exports.programOptions = programOptions;
module.exports.functionOptions = functionOptions;
