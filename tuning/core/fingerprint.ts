/**
 * The fingerprint that tells two workloads apart (the baseline comparison, reports/compare.ts): FNV-1a, 32 bits,
 * over the UTF-16 code units. It tells contents apart; it is not a security hash.
 */

/** `fnv1a32:` and the hash in 8 hex digits. @example fnv1a32Digest("") // "fnv1a32:811c9dc5" */
export function fnv1a32Digest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `fnv1a32:${hash.toString(16).padStart(8, "0")}`;
}
