/** Reading a TypeScript file's imports from its text, for the tests that hold the import rules. */

/** The module specifiers a source file imports or re-exports, statically or by `import()`. */
export function specifiers(source: string): string[] {
  // Comments could hold example imports: drop them first. A line comment is dropped only when
  // it is the whole line, so `s3://` in a string survives.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) if (match[1] !== undefined) found.push(match[1]);
  }
  return found;
}
