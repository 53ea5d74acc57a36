/** A short unique suffix so every test creates its own data (no imports: unit tests use it too). */
export function unique(prefix = 't'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
