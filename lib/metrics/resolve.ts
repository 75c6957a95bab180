/**
 * The catalogue as one tenant of one deployment sees it: the tenant's metrics, in catalogue
 * order, with the deployment's overrides (`catalogue.<metric>` in configuration) applied.
 */
import type { BdsConfig, TenantConfig } from '../config/types';
import { CATALOGUE, type BackOfficeCodes, type Measure, type MetricDefinition } from './catalogue';

/** Back-office codes for one measure, every field filled ('' where unknown). */
export interface ResolvedCodes {
  readonly channelType: string;
  readonly serviceClass: string;
  readonly activityType: string;
  readonly status: string;
  readonly agentGroupName: string;
}

export type ResolvedMetric = MetricDefinition & {
  /** The codes of each of the metric's measures. */
  readonly resolvedCodes: Readonly<Partial<Record<Measure, ResolvedCodes>>>;
};

const EMPTY: ResolvedCodes = { channelType: '', serviceClass: '', activityType: '', status: '', agentGroupName: '' };

function layer(base: ResolvedCodes, codes: BackOfficeCodes | undefined): ResolvedCodes {
  if (codes === undefined) return base;
  return {
    channelType: codes.channelType ?? base.channelType,
    serviceClass: codes.serviceClass ?? base.serviceClass,
    activityType: codes.activityType ?? base.activityType,
    status: codes.status ?? base.status,
    agentGroupName: codes.agentGroupName ?? base.agentGroupName,
  };
}

/** The tenant's enabled metrics with overrides applied, in catalogue order. */
export function resolveMetrics(config: BdsConfig, tenant: TenantConfig): ResolvedMetric[] {
  const enabled = new Set(tenant.metrics);
  return CATALOGUE.filter((m) => enabled.has(m.key)).map((metric) => {
    const override = config.catalogue[metric.key];
    const resolvedCodes: Partial<Record<Measure, ResolvedCodes>> = {};
    for (const { measure } of metric.measures) {
      // Precedence: catalogue codes, catalogue per-measure codes, then the deployment's, which win.
      resolvedCodes[measure] = layer(
        layer(layer(layer(EMPTY, metric.codes), metric.measureCodes[measure]), override?.codes),
        override?.measureCodes?.[measure],
      );
    }
    if (metric.family === 'seats' && override !== undefined) {
      return {
        ...metric,
        mediaCodes: override.mediaCodes ?? metric.mediaCodes,
        subtypeCodes: override.subtypeCodes ?? metric.subtypeCodes,
        resolvedCodes,
      };
    }
    return { ...metric, resolvedCodes };
  });
}
