// Shared by the gate's network persistence checks (TD102 bridge, TD103 taps): each collects the
// persisted configs that could bring a device up at boot as candidates, passes when one of them
// would, and otherwise reports what stops each one, with the commands that fix it.
import {evidence} from './define.js';
import type {IfcfgFile} from '../facts/host/interface-files.js';
import type {Evidence} from '../model.js';

/** One persisted config for the device and what stops it from doing the job at boot. */
export interface Candidate {
  /** What was found ("/etc/sysconfig/network/ifcfg-br1", "NetworkManager profile ovs-br0-if"). */
  what: string;
  /** Empty: this config does the job at boot. */
  problems: string[];
  fix: string[];
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
export function unreadableFile(path: string, error: string, fix: string): Candidate {
  return {what: path, problems: [`unreadable: ${error}`], fix: [fix], evidence: [evidence(path, error)]};
}

/** The command that makes an ifcfg file say NAME='value': edit the line if there is one, else append it. */
export function setIfcfgVar(file: IfcfgFile, name: string, value: string): string {
  return file.vars[name] !== undefined ? `sed -i "s|^${name}=.*|${name}='${value}'|" ${file.path}` : `echo "${name}='${value}'" >> ${file.path}`;
}
