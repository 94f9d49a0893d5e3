// Vitest glue: one throwaway host per describe block, destroyed even when tests fail.
//
//   describe.skipIf(skipLive)('check on a healthy SUSE host', () => {
//     const host = useLiveHost(PRESETS.healthySuse);
//     test('...', async () => { const r = await host().exec([...]); ... });
//   });
import {afterAll, beforeAll} from 'vitest';
import {LiveHost} from './host.js';
import type {ScenarioSpec} from './spec.js';

export function useLiveHost(makeSpec: () => ScenarioSpec): () => LiveHost {
  let host: LiveHost | undefined;
  beforeAll(async () => {
    host = await LiveHost.create(makeSpec());
  });
  afterAll(async () => {
    await host?.destroy();
  });
  return () => {
    if (!host) throw new Error('live host not built (did beforeAll fail?)');
    return host;
  };
}
