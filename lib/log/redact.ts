/**
 * Secrets never reach a log, an error message or a file. Configuration loading registers every
 * secret value it saw (passwords, connection strings, keys); everything BDS prints goes through
 * `redact`, which replaces each of them, wherever it appears, by `***`.
 */
const secrets = new Set<string>();

/**
 * Remembers values that must never be printed. Very short values are ignored: masking "a" would
 * mangle every line. A value with a quote, a backslash or a control character is also remembered
 * as it reads inside a JSON string: log lines and `--json` output are redacted after
 * serialisation, where `pa"ss` has become `pa\"ss`.
 */
export function registerSecrets(values: Iterable<string>): void {
  for (const value of values) {
    if (value.length < 4) continue;
    secrets.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) secrets.add(escaped);
  }
}

/** Forgets every registered secret (tests). */
export function clearSecrets(): void {
  secrets.clear();
}

/** Returns `text` with every registered secret replaced by `***`, longest first so a secret containing another is masked whole. */
export function redact(text: string): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  // A connection URL that was not registered (e.g. typed on a command line) still hides its password.
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)[^@\s/]+@/gi, '$1***@');
}
