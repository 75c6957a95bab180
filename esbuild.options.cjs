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
// `require`; a self-contained bundle gives them one.
const REQUIRE_SHIM = "import { createRequire as __bdsCreateRequire } from 'node:module'; const require = __bdsCreateRequire(import.meta.url);";

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
