import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/index.js';
import { ReconnectingEventStream, parseContainerEvent, type ContainerEvent } from './docker-events.js';

const event = (action: string, space: string, time: number): string =>
  `${JSON.stringify({ Type: 'container', Action: action, Actor: { ID: 'c1', Attributes: { 'spaceport.space': space, 'spaceport.release': 'r1' } }, time })}\n`;

let stream: ReconnectingEventStream | undefined;
afterEach(async () => {
  await stream?.close();
  stream = undefined;
});

describe('docker events', () => {
  it('parses container events with our labels', () => {
    expect(parseContainerEvent(event('die', 'alice/demo', 5).trim())).toEqual({ action: 'die', id: 'c1', space: 'alice/demo', release: 'r1', time: 5 });
    expect(parseContainerEvent('{"Type":"network","Action":"connect"}')).toBeUndefined();
    expect(parseContainerEvent('not json')).toBeUndefined();
  });

  it('reconnects after a failure and an end, asking for events since the last one seen', async () => {
    const sinces: number[] = [];
    const seen: ContainerEvent[] = [];
    let opens = 0;
    const done = new Promise<void>((resolve) => {
      stream = new ReconnectingEventStream({
        logger: silentLogger(),
        initialBackoffMs: 1,
        maxBackoffMs: 4,
        now: () => 100_000,
        open: async ({ since }) => {
          sinces.push(since);
          opens += 1;
          if (opens === 1) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
          if (opens === 2) {
            // An event split across chunks, then the stream ends.
            const text = event('start', 'alice/demo', 120);
            return (async function* () {
              yield Buffer.from(text.slice(0, 20));
              yield Buffer.from(text.slice(20));
            })();
          }
          return (async function* () {
            yield Buffer.from(event('die', 'bob/app', 130));
            resolve();
            await new Promise(() => undefined);
          })();
        },
        onEvent: (e) => seen.push(e),
      });
      stream.start();
    });
    await done;
    expect(seen.map((e) => [e.action, e.space])).toEqual([
      ['start', 'alice/demo'],
      ['die', 'bob/app'],
    ]);
    expect(sinces).toEqual([99, 99, 120]);
  });
});
