/**
 * The manifest of a tenant's period, `billing/<tenant>/<YYYY>/<MM>/manifest_<tenant>_<PERIOD>.json`:
 * the files the period's run wrote (names, digests, sizes), the staged datasets they were
 * computed from, and when. Written last by period-writer.ts, read by transmission (which files to
 * send, with which digest), the demo and `bds status`. One schema, here; the types are derived
 * from it so the writer and the readers cannot disagree.
 */
import { z } from 'zod';

const HEX64 = /^[0-9a-f]{64}$/;
// File names from a manifest become paths: anything that could climb out of the folder is refused.
const SAFE_CSV_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.csv$/;
const count = z.number().int().min(0);
const notes = z.record(z.string(), z.number());

export const MANIFEST_FORMAT = 'bds-manifest/1';

/** One billing file as the manifest lists it. */
export const manifestFileSchema = z.strictObject({
  name: z.string().regex(SAFE_CSV_NAME, { error: 'not a billing file name' }),
  metric: z.string(),
  region: z.string(),
  sha256: z.string().regex(HEX64, { error: 'not a SHA-256 hex digest' }),
  bytes: count,
  rows: count,
});
export type ManifestFile = z.infer<typeof manifestFileSchema>;

/** An invoice detail file as the manifest lists it: `<billing file>.detail.csv`. */
export const manifestDetailSchema = manifestFileSchema.extend({
  /** The billing file it details. */
  of: z.string().regex(SAFE_CSV_NAME, { error: 'not a billing file name' }),
});
export type ManifestDetail = z.infer<typeof manifestDetailSchema>;

/** A staged dataset a period was computed from. */
export const manifestInputSchema = z.strictObject({
  dataset: z.string(),
  date: z.string(),
  source: z.string(),
  rows: count,
  sha256: z.string().regex(HEX64, { error: 'not a SHA-256 hex digest' }),
  extractedAt: z.string(),
  /** Config DB datasets: the moment the configuration was read (the value is a snapshot). */
  snapshotAt: z.string().optional(),
  /** Facts the source had for the day that the dataset leaves out, by reason (e.g. `orphanSessions`). */
  notes: notes.optional(),
});
export type ManifestInput = z.infer<typeof manifestInputSchema>;

/** The format of a period's manifest. */
export const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT, { error: `not a BDS manifest (expected format "${MANIFEST_FORMAT}")` }),
  tenant: z.string(),
  garn: z.string(),
  periodType: z.enum(['daily', 'monthly']),
  period: z.string(),
  periodStart: z.string(),
  periodEnd: z.string(),
  timezone: z.string(),
  generatedAt: z.string(),
  bdsVersion: z.string(),
  files: z.array(manifestFileSchema),
  /** Invoice detail files (`detail` in the tenant's configuration), one per billing file; absent when off. */
  details: z.array(manifestDetailSchema).optional(),
  inputs: z.array(manifestInputSchema),
  /** Per metric family, counts aggregation noted (AggregationStats). */
  stats: z.record(z.string(), z.record(z.string(), z.number())),
});
export type Manifest = z.infer<typeof manifestSchema>;
