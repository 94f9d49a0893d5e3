// Test helper: run one check on a snapshot the way the engine does.
import {DEFAULT_CONFIG, type TapdoctorConfig} from '../../src/config.js';
import type {CheckDefinition} from '../../src/checks/define.js';
import {runCheck} from '../../src/engine.js';
import {Facts} from '../../src/facts/facts.js';
import type {CheckResult} from '../../src/model.js';
import {readSnapshot} from '../../src/sources/archive.js';
import {SnapshotView, type Snapshot} from '../../src/sources/snapshot.js';
import {FIXTURES} from '../helpers/fixture.js';

export function run(check: CheckDefinition, snapshot: Snapshot, config: Partial<TapdoctorConfig> = {}): CheckResult {
  return runCheck(check, new Facts(new SnapshotView(snapshot), {...DEFAULT_CONFIG, ...config}));
}

export const fixture = (name: 'healthy-suse' | 'healthy-fedora' | 'demo'): Promise<Snapshot> => readSnapshot(`${FIXTURES}${name}`);

export const WANTS = '/etc/systemd/system/multi-user.target.wants/';
