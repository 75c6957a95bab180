/**
 * The validated, resolved configuration (config.md). `loadConfig` produces it; nothing else in
 * BDS reads the configuration file. All `${env:NAME}` references are already substituted,
 * durations are in seconds and paths are absolute.
 */
import type { BackOfficeCodes, Measure } from '../metrics/catalogue';

/** A calendar date `YYYY-MM-DD` (a tenant-local day, no time zone attached). */
export type LocalDate = string;

/** How to reach one source database. */
export interface SourceConfig {
  readonly client: 'pg' | 'mssql';
  readonly connectionString?: string;
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly user?: string;
  readonly password?: string;
  /** pg: TLS on/off or options. */
  readonly ssl?: boolean | { readonly rejectUnauthorized?: boolean; readonly ca?: string };
  /** mssql: TLS (default true) and whether to trust a self-signed server certificate. */
  readonly encrypt?: boolean;
  readonly trustServerCertificate?: boolean;
  /** Connection timeout in seconds (default 30). */
  readonly connectTimeout: number;
  /** Statement timeout in seconds (default 3600: a big site's day can take minutes). */
  readonly queryTimeout: number;
  /** GVP sources: the deployment's own SQL replacing the reference queries (docs/gvp-queries.md). */
  readonly queries?: { readonly calls?: string; readonly mediaSessions?: string };
}

export interface LocationConfig {
  readonly code: string;
  /** Switch names; exactly one location of a tenant has none and is the default. */
  readonly switches: readonly string[];
}

export interface RegionConfig {
  /** Region code as it appears in file names (`US`, `EU`). */
  readonly code: string;
  /** The region's own GVP source, if any. */
  readonly gvp?: SourceConfig;
  readonly locations: readonly LocationConfig[];
}

export interface TenantConfig {
  readonly id: string;
  readonly gimTenantKey: number;
  readonly cfgTenantDbid: number;
  /** IANA zone, validated. */
  readonly timezone: string;
  readonly productionDate: LocalDate;
  /** Regular expression sources, each validated to compile. */
  readonly excludeAgents: readonly string[];
  /** Metric keys of the catalogue, no duplicates. */
  readonly metrics: readonly string[];
  readonly regions: readonly RegionConfig[];
  /** Invoice detail files next to the billing files (`detail`); absent: none. */
  readonly detail?: DetailConfig;
}

/** `detail: true` or `detail: { names: true }`: names are personal data, shown only when asked for. */
export interface DetailConfig {
  readonly names: boolean;
}

/** Per-deployment overrides of one catalogue entry (`catalogue.<metric>`). */
export interface MetricOverride {
  /** Seat metrics: replaces the media codes. */
  readonly mediaCodes?: readonly string[];
  /** Seat metrics that require an interaction: replaces the subtype codes. */
  readonly subtypeCodes?: readonly string[];
  /** Back-office codes for every measure of the metric. */
  readonly codes?: BackOfficeCodes;
  /** Back-office codes for one measure, over `codes`. */
  readonly measureCodes?: Partial<Record<Measure, BackOfficeCodes>>;
}

export interface S3Config {
  readonly bucket: string;
  readonly prefix: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly requestChecksumCalculation?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
}

/** The vendor's SFTP inbox (`transmit.sftp`), resolved: the key read, the defaults applied. */
export interface SftpConfig {
  readonly host: string;
  /** Default 22. */
  readonly port: number;
  readonly username: string;
  /** The private key itself (OpenSSH or PEM text), read from its file when a path was given. */
  readonly privateKey?: string;
  /** The key file's absolute path, when the key came from a file (for messages). */
  readonly privateKeyPath?: string;
  readonly password?: string;
  readonly passphrase?: string;
  /** The pinned host key: `SHA256:` and 43 characters of base64, as `ssh-keygen -lf` prints it. */
  readonly hostKey: string;
  /** The remote root, without a trailing "/" (but "/" itself). */
  readonly path: string;
  /** Seconds to wait for the connection and SSH handshake (default 30). */
  readonly connectTimeout: number;
}

export interface TransmitConfig {
  readonly s3?: S3Config;
  readonly sftp?: SftpConfig;
  /** Absolute paths of extra local folders. */
  readonly copyTo: readonly string[];
}

/**
 * How the dispatcher runs tenants: in its own process (default), or fanned out, one
 * asynchronous Lambda invocation of the `worker` function per tenant (when one machine is not enough).
 */
export interface DispatchConfig {
  readonly mode: 'in-process' | 'lambda';
  /** The worker function's name (lambda mode), e.g. `bds-prod-worker`. */
  readonly functionName?: string;
  /** A Lambda-compatible endpoint (e.g. serverless-offline's); default AWS's. */
  readonly endpoint?: string;
  /** AWS region of the worker function (lambda mode). */
  readonly region?: string;
}

/** Permissions of the files and folders BDS creates (`files`), as numbers (0o640). */
export interface FilesConfig {
  /** Billing files, staged data, state; default 0o640. Never anything for other users. */
  readonly mode: number;
  /** Folders; default 0o750. */
  readonly dirMode: number;
}

export interface BdsConfig {
  /** Absolute path of the file this came from (for messages). */
  readonly configPath: string;
  readonly customer: { readonly garn: string; readonly name: string };
  /** Absolute; a relative `dataDir` is resolved against the configuration file's folder. */
  readonly dataDir: string;
  /** `processingDelay` in seconds (default 2h). */
  readonly processingDelaySeconds: number;
  readonly sources: {
    readonly gim?: SourceConfig;
    readonly config?: SourceConfig;
    readonly gvp?: SourceConfig;
  };
  readonly tenants: readonly TenantConfig[];
  /** Keyed by metric key; only keys of the catalogue. */
  readonly catalogue: Readonly<Record<string, MetricOverride>>;
  readonly transmit?: TransmitConfig;
  /** The local scheduler (`bds scheduler`): the IANA zone its cron expressions are read in (default UTC). */
  readonly scheduler: { readonly timezone: string };
  /**
   * `verify`: after each day's aggregation, recompute its values (and its month's, on a last
   * day) in the source databases and fail the day's aggregation on any difference (default false).
   */
  readonly verify: boolean;
  /** How the dispatcher runs tenants; absent: in-process. */
  readonly dispatch?: DispatchConfig;
  /** Present when the file sets `files`; absent: 0o640 files, 0o750 folders. */
  readonly files?: FilesConfig;
}
