/** `bds demo` (being written). */
export async function runDemo(_options: { dir: string; month: string | undefined }): Promise<number> {
  throw new Error('demo not implemented yet');
}
