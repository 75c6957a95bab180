/**
 * The BDS version, for manifests and logs. Bundles get it at build time (esbuild `define`), so a
 * Lambda zip needs no package.json; from source it is read from the project's package.json.
 */
import { packageVersion } from './package-root';

declare const __BDS_VERSION__: string | undefined;

/** The version of this build of BDS. */
export function bdsVersion(): string {
  return typeof __BDS_VERSION__ === 'string' ? __BDS_VERSION__ : packageVersion();
}
