import { layout } from './layout.js';

/** 503 for a Space its owner paused: visitors never wake it. */
export function pausedPage(space: string): string {
  return layout({
    title: 'This Space has been paused by its owner',
    space,
    tone: 'neutral',
    body: `<p>Only the owner can restart it. Please come back later.</p>`,
  });
}
