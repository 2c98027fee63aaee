/**
 * Replaces absolute filesystem paths in a text by `…`, for messages that leave the server (an error
 * answer must never show where the data lives). URLs are kept: a `/` right after `:` or `/` is not a
 * path's start.
 */
export function hidePaths(text: string): string {
  return text.replace(/(^|[\s'"`=(,[])\/(?![\s/])[^\s'"`),\]]*/g, '$1…');
}
