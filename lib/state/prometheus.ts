/**
 * Prometheus text exposition (version 0.0.4), as the node-exporter textfile collector reads it:
 * gauges only, one HELP and TYPE line per family, label values escaped. Every file BDS writes
 * goes through here, so the families keep one help text across files (the collector refuses a
 * family whose help differs between files).
 */

/** One sample: its labels and value. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A gauge family: its name, help text and samples (none: the family is left out). */
export interface GaugeFamily {
  readonly name: string;
  readonly help: string;
  readonly samples: readonly Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value as the format writes it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * Renders gauge families. Families without samples are left out.
 *
 * @throws TypeError for a metric or label name the format does not allow (a programming error).
 */
export function renderGauges(families: readonly GaugeFamily[]): string {
  let text = '';
  for (const family of families) {
    if (!NAME.test(family.name)) throw new TypeError(`invalid Prometheus metric name ${JSON.stringify(family.name)}`);
    if (family.samples.length === 0) continue;
    text += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} gauge\n`;
    for (const sample of family.samples) {
      const entries = Object.entries(sample.labels);
      for (const [label] of entries) if (!LABEL.test(label)) throw new TypeError(`invalid Prometheus label name ${JSON.stringify(label)}`);
      const labels = entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
      text += `${family.name}${labels} ${formatValue(sample.value)}\n`;
    }
  }
  return text;
}
