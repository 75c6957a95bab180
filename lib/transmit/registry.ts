/**
 * The destination registry: one table from each kind of destination the configuration's
 * `transmit` section can name to the adapter that delivers there. A new kind is its adapter
 * file plus one entry in {@link DESTINATION_KINDS}; nothing else branches on the kind. The table is
 * keyed by `TransmitConfig`'s own keys, so a kind added to the configuration without an entry
 * here does not compile.
 */
import type { BdsConfig, S3Config, SftpConfig, TransmitConfig } from '../config/types';
import type { FileModes } from '../files/atomic';
import type { Logger } from '../log/logger';
import type { SecretRegistry } from '../log/redact';
import { CopyDestination, copyDestinationId } from './copy-to';
import type { Destination } from './destination';
import { S3Destination, s3DestinationId, type S3DestinationOptions } from './s3';
import { SftpDestination, sftpDestinationId } from './sftp';

/** What an adapter may need besides its own configuration entry. */
export interface AdapterContext {
  readonly log: Logger;
  /** Permissions of the files and folders an adapter writes locally (copyTo). */
  readonly fileModes: FileModes;
  /** Upload tuning (part size, queue size) or a client to use for S3. */
  readonly s3?: Omit<S3DestinationOptions, 'log'>;
}

/** One configured destination, known by its ledger id before anything is opened. */
export interface ConfiguredDestination {
  /** The ledger's destination id. */
  readonly id: string;
  /** Values the logs must never show (keys, passwords), as the configuration holds them. */
  readonly secrets: readonly string[];
  /** Makes the adapter; it may open connections lazily, but must be closed. */
  open(context: AdapterContext): Destination;
}

/** How one kind of destination is read from the configuration and made. */
interface DestinationKind<Entry> {
  /** The kind's entries in the configuration, in order (none when it is not configured). */
  entries(transmit: TransmitConfig): readonly Entry[];
  id(entry: Entry): string;
  secrets?(entry: Entry): readonly (string | undefined)[];
  open(entry: Entry, context: AdapterContext): Destination;
}

type KindReader = (transmit: TransmitConfig) => readonly ConfiguredDestination[];

// Erases each kind's entry type, so the table's rows can be iterated alike without a cast.
function kind<Entry>(spec: DestinationKind<Entry>): KindReader {
  return (transmit) =>
    spec.entries(transmit).map((entry) => ({
      id: spec.id(entry),
      secrets: (spec.secrets?.(entry) ?? []).filter((v): v is string => v !== undefined),
      open: (context) => spec.open(entry, context),
    }));
}

/**
 * Every destination kind, in delivery order: each file visits its destinations in this order (the
 * vendor's inboxes, S3 then SFTP, before the local copies), and `bds status` lists them so.
 */
export const DESTINATION_KINDS: { readonly [K in keyof TransmitConfig]-?: KindReader } = {
  s3: kind<S3Config>({
    entries: (transmit) => (transmit.s3 === undefined ? [] : [transmit.s3]),
    id: s3DestinationId,
    secrets: (s3) => [s3.secretAccessKey, s3.accessKeyId],
    open: (s3, context) => new S3Destination(s3, { ...context.s3, log: context.log }),
  }),
  sftp: kind<SftpConfig>({
    entries: (transmit) => (transmit.sftp === undefined ? [] : [transmit.sftp]),
    id: sftpDestinationId,
    secrets: (sftp) => [sftp.password, sftp.passphrase, sftp.privateKey],
    open: (sftp, context) => new SftpDestination(sftp, context.log),
  }),
  copyTo: kind<string>({
    entries: (transmit) => transmit.copyTo,
    id: copyDestinationId,
    open: (root, context) => new CopyDestination(root, context.log, context.fileModes),
  }),
};

/** The configured destinations, in delivery order; none without a `transmit` section. */
export function configuredDestinations(config: BdsConfig): ConfiguredDestination[] {
  const transmit = config.transmit;
  if (transmit === undefined) return [];
  return Object.values<KindReader>(DESTINATION_KINDS).flatMap((read) => read(transmit));
}

/** The ledger ids of the configured destinations, in delivery order (S3 first). */
export function destinationIds(config: BdsConfig): string[] {
  return configuredDestinations(config).map((d) => d.id);
}

/**
 * Makes an adapter for every configured destination, in delivery order. Their secrets are
 * registered with `secrets` (the run's registry) first: the configuration loader does so too,
 * but a library caller may not have loaded it that way.
 */
export function openDestinations(config: BdsConfig, context: AdapterContext, secrets: SecretRegistry): Destination[] {
  const configured = configuredDestinations(config);
  secrets.register(configured.flatMap((d) => d.secrets));
  return configured.map((d) => d.open(context));
}
