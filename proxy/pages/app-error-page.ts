import { layout } from './layout.js';

/** 502: the Space's app did not answer (connection refused or reset, timeout). */
export function appErrorPage(space: string): string {
  return layout({
    title: 'The app did not answer',
    space,
    tone: 'bad',
    body: `<p>The Space is running but its app failed to respond. Try again in a moment; if it keeps failing, the owner can check the Space's logs.</p>`,
  });
}
