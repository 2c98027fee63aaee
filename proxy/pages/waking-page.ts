import { escapeHtml } from '../../core/index.js';
import { layout } from './layout.js';

export interface WakingPageInput {
  space: string;
  /** Same-host path answering `{ target: kind }` JSON. */
  statusPath: string;
  /** Milliseconds between status polls. */
  pollMs: number;
  /** The stage when the page is served; the page follows it live. */
  stage: string;
}

/**
 * 503 while a sleeping Space wakes: polls the status endpoint on the same host and reloads into the
 * app once it is running (or into the error or paused page if the wake ends there).
 */
export function wakingPage(input: WakingPageInput): string {
  const script = `(function(){var p=${JSON.stringify(input.statusPath)},t=${Number(input.pollMs)},n=0;
function tick(){fetch(p,{cache:"no-store"}).then(function(r){return r.json()}).then(function(s){
var k=s&&s.target,e=document.getElementById("stage");if(e&&s&&s.stage)e.textContent=s.stage;
if(k!=="sleeping"&&k!=="waking"&&k!=="pending"){location.reload();return}
setTimeout(tick,t)}).catch(function(){if(++n<600)setTimeout(tick,t*2)})}
setTimeout(tick,t)})();`;
  return layout({
    title: 'Waking up this Space',
    space: input.space,
    tone: 'busy',
    body: `<p>This Space was asleep and is starting now. The page opens the app as soon as it is ready.</p>
<p>Stage: <code id="stage">${escapeHtml(input.stage)}</code></p>
<noscript><p>Reload this page in a few seconds.</p></noscript>`,
    script,
  });
}
