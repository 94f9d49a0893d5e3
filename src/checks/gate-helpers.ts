// Shared by the gate's network persistence checks (TD102 bridge, TD103 taps): each collects the
// persisted configs that could bring a device up at boot as candidates, passes when one of them
// would, and otherwise reports what stops each one, with the commands that fix it.
import {evidence} from './define.js';
import type {IfcfgFile} from '../facts/network-config/index.js';
import type {Evidence} from '../model.js';
import {setVar} from '../remedies/files.js';
import {manual, type Step} from '../remedies/step.js';

/** One persisted config for the device and what stops it from doing the job at boot. */
export interface Candidate {
  /** What was found ("/etc/sysconfig/network/ifcfg-br1", "NetworkManager profile ovs-br0-if"). */
  what: string;
  /** Empty: this config does the job at boot. */
  problems: string[];
  fix: Step[];
  evidence: Evidence[];
}

/** Some candidate does the job at boot. */
export function someCandidateWorks(candidates: readonly Candidate[]): boolean {
  return candidates.some((c) => c.problems.length === 0);
}

/** Each candidate and its problems, for the finding message: "what: p1; p2 | what: p3". */
export function describeCandidates(candidates: readonly Candidate[]): string {
  return candidates.map((c) => `${c.what}: ${c.problems.join('; ')}`).join(' | ');
}

/** A config file that could not be read or parsed: a candidate that cannot work. */
export function unreadableFile(path: string, error: string): Candidate {
  return {what: path, problems: [`unreadable: ${error}`], fix: [manual(`unreadable:${path}`, `${path} could not be read`, [`# fix ${path} (${error})`])], evidence: [evidence(path, error)]};
}

/** The step that makes an ifcfg file say NAME=value (wicked quotes values, ifcfg-rh does not). */
export function setIfcfgVar(file: IfcfgFile, name: string, value: string): Step {
  return setVar(file.path, name, value, {style: file.path.startsWith('/etc/sysconfig/network-scripts/') ? 'bare' : 'quoted'});
}
