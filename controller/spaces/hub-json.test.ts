import { describe, expect, it } from 'vitest';
import type { SpaceRecord } from '../store/records.js';
import { runtimeJson } from './hub-json.js';

const space = { id: 'alice/demo', subdomain: 'alice-demo', hardware: 't4-small', sdk: 'docker' } as SpaceRecord;
const opts = { gcTimeout: null, flavor: undefined, domain: 'localhost' };

describe('runtimeJson', () => {
  it('says the node is simulated (a field huggingface_hub keeps in SpaceRuntime.raw), never as an error', () => {
    const json = runtimeJson(space, { stage: 'RUNNING', serving: true, simulatedNode: true }, opts);
    expect(json.stage).toBe('RUNNING');
    expect(json.errorMessage).toBeUndefined();
    expect(json.node).toEqual({ simulated: true, message: expect.stringContaining('simulated node (kwok)') });
    expect(runtimeJson(space, { stage: 'RUNNING', serving: true }, opts).node).toBeUndefined();
  });
});
