// How a fleet check is written: metadata from meta.ts, `run` a pure function of the Fleet.
// Findings have the single-host shape plus `hosts`: the host that must change first.
import type {CheckMeta} from '../checks/meta.js';
import type {Evidence, Finding, Severity} from '../model.js';
import type {Step} from '../remedies/step.js';
import type {Fleet} from './fleet.js';
import {fleetCheckMeta} from './meta.js';

/** What one host must do for a fleet finding: steps built by src/remedies/, merged into that host's plan. */
export interface HostRemedy {
  host: string;
  steps: Step[];
}

export interface FleetFindingDraft {
  /** The host that must change first, then the others involved. */
  hosts: string[];
  subject: string;
  message: string;
  /** Per host that must change: its steps (a host left out changes nothing for this finding). */
  fix: HostRemedy[];
  evidence: Evidence[];
  severity?: Severity;
}

export type FleetOutcome = FleetFindingDraft[] | {status: 'skip'; reason: string};

export interface FleetCheckDefinition extends CheckMeta {
  run(fleet: Fleet): FleetOutcome;
}

export interface FleetFinding extends Finding {
  hosts: string[];
}

export function defineFleetCheck(id: string, run: FleetCheckDefinition['run']): FleetCheckDefinition {
  return {...fleetCheckMeta(id), run};
}

/** Evidence from one host: the source name is prefixed with the host ("worker-a: ovs.interfaces"). */
export function hostEvidence(host: string, source: string, ...lines: string[]): Evidence {
  return {source: `${host}: ${source}`, lines};
}
