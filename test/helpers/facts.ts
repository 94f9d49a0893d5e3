// Facts over a snapshot spec (or a snapshot) with the default settings plus overrides, and a
// captured sample by directory and name: what the fact unit tests share.
import {readFileSync} from 'node:fs';
import {DEFAULT_CONFIG, type TapdoctorConfig} from '../../src/config.js';
import {Facts} from '../../src/facts/facts.js';
import {SnapshotView, type Snapshot} from '../../src/sources/snapshot.js';
import {makeSnapshot, type SnapshotSpec} from './snapshot.js';

export const factsFor = (spec: SnapshotSpec | Snapshot, config: Partial<TapdoctorConfig> = {}): Facts =>
  new Facts(new SnapshotView('manifest' in spec ? spec : makeSnapshot(spec)), {...DEFAULT_CONFIG, ...config});

/** A file of test/samples/<dir>/. */
export const sample = (dir: string, name: string): string => readFileSync(new URL(`../samples/${dir}/${name}`, import.meta.url), 'utf8');
