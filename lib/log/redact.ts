/**
 * Secrets never reach a log, an error message or a file. Configuration loading registers every
 * secret value it saw (passwords, connection strings, keys) with the run's `SecretRegistry`
 * (lib/runtime); everything BDS prints goes through its `redact`, which replaces each of them,
 * wherever it appears, by `***`. A registry belongs to a program or a handler, not to the
 * module: two of them in one process (tests, the scheduler's handlers) do not see each other's.
 */

// A connection URL that was not registered (e.g. typed on a command line) still hides its password.
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)[^@\s/]+@/gi;

/** The values one program must never print, and the redaction that hides them. */
export class SecretRegistry {
  private readonly secrets = new Set<string>();
  // Sorted longest first, so a secret containing another is masked whole; rebuilt on change.
  private ordered: readonly string[] = [];

  /**
   * Remembers values that must never be printed. Very short values are ignored: masking "a"
   * would mangle every line. A value with a quote, a backslash or a control character is also
   * remembered as it reads inside a JSON string: log lines and `--json` output are redacted
   * after serialisation, where `pa"ss` has become `pa\"ss`.
   */
  register(values: Iterable<string>): void {
    for (const value of values) {
      if (value.length < 4) continue;
      this.secrets.add(value);
      const escaped = JSON.stringify(value).slice(1, -1);
      if (escaped !== value) this.secrets.add(escaped);
    }
    this.ordered = [...this.secrets].sort((a, b) => b.length - a.length);
  }

  /** How many values are remembered (an escaped form counts as one more). */
  get size(): number {
    return this.secrets.size;
  }

  /** Returns `text` with every registered secret, and any password inside a URL, replaced by `***`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.ordered) {
      if (out.includes(secret)) out = out.split(secret).join('***');
    }
    return out.replace(URL_PASSWORD, '$1***@');
  }
}
