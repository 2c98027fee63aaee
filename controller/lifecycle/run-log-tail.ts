import type { ReleaseId, SpaceId } from '../../core/index.js';
import type { Runtime } from '../runtime/runtime.js';

/** The app's last log lines for a failure message (the caller masks secret values); empty when the instance is gone. */
export async function runLogTail(runtime: Runtime, space: SpaceId, release: ReleaseId, lineCount = 30): Promise<string> {
  const lines: string[] = [];
  try {
    for await (const line of runtime.logs(space, release, { follow: false, tail: lineCount })) lines.push(line.data.replace(/\n$/, ''));
  } catch {
    // The instance may be gone already: no tail then.
  }
  return lines.join('\n');
}
