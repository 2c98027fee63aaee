/** `scheme://user:password@host` → `scheme://***@host`, anywhere in a text (argv, stderr, messages). */
export function redactCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}
