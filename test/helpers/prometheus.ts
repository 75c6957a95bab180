/**
 * A reader of the Prometheus text exposition format, written from the format's description
 * (not from lib/state/prometheus.ts): `# HELP name text`, `# TYPE name type`, then samples
 * `name{label="value",...} value`, label values with `\\`, `\"` and `\n` escapes. It refuses
 * what the node-exporter textfile collector would refuse: a sample before its family's TYPE
 * line, a family declared twice, a duplicate series, a malformed line.
 */

export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface ParsedFamily {
  readonly help: string;
  readonly type: string;
  readonly samples: ParsedSample[];
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`malformed labels: ${line}`);
    const name = text.slice(i, eq);
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new Error(`bad label name ${name}: ${line}`);
    if (text[eq + 1] !== '"') throw new Error(`label value not quoted: ${line}`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new Error(`unterminated label value: ${line}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = text[j + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`bad escape: ${line}`);
        j += 2;
        continue;
      }
      value += c;
      j += 1;
    }
    if (name in labels) throw new Error(`label ${name} twice: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i += 1;
    else if (i < text.length) throw new Error(`expected , between labels: ${line}`);
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value ${text}: ${line}`);
  return Number(text);
}

/** Parses a textfile into its families; throws on anything the collector would refuse. */
export function parsePrometheusText(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  const helps = new Map<string, string>();
  const series = new Set<string>();
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the file must end with a line feed');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (help !== null) {
      if (helps.has(help[1] as string)) throw new Error(`HELP twice for ${help[1]}`);
      helps.set(help[1] as string, (help[2] as string).replace(/\\n/g, '\n').replace(/\\\\/g, '\\'));
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type !== null) {
      const name = type[1] as string;
      if (families.has(name)) throw new Error(`TYPE twice for ${name}`);
      families.set(name, { help: helps.get(name) ?? '', type: type[2] as string, samples: [] });
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (sample === null) throw new Error(`malformed line: ${line}`);
    const name = sample[1] as string;
    const family = families.get(name);
    if (family === undefined) throw new Error(`sample before its TYPE line: ${line}`);
    const labels = parseLabels(sample[2] ?? '', line);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`duplicate series: ${line}`);
    series.add(key);
    family.samples.push({ name, labels, value: parseValue(sample[3] as string, line) });
  }
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`; throws if not exactly one. */
export function sampleValue(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number {
  const matching = (families.get(name)?.samples ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matching.length !== 1) throw new Error(`${matching.length} samples of ${name} with ${JSON.stringify(labels)}`);
  return (matching[0] as ParsedSample).value;
}
