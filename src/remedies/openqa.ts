// Repairs of the openQA worker configuration (workers.ini): one way each, for the host checks and
// the fleet's.
import type {MmMtuSource} from '../facts/mtu.js';
import {replaceLine, setIniKey} from './files.js';
import {manual, type Step} from './step.js';

/**
 * The SUTs of the tap instances whose MM_MTU comes from `source` use `mtu`: the line setting it
 * says so, or [global] gets it; the workers read it at their next start. `also`: another way,
 * said after the note.
 */
export function setMmMtu(source: MmMtuSource, mtu: number, also?: string): Step[] {
  const more = also ? ` (${also})` : '';
  let edit: Step;
  if (source.kind === 'unset') edit = setIniKey(source.path, 'global', 'MM_MTU', String(mtu), {note: `${source.path}: add MM_MTU = ${mtu} under [global]${more}`});
  else if (source.line !== undefined) edit = replaceLine(source.path, source.line, `MM_MTU = ${mtu}`, {note: `${source.path}:${source.line}: set MM_MTU = ${mtu}${more}`});
  else edit = manual(`mm-mtu:${source.path}:?`, 'the line setting it is unknown', [`# ${source.path}:?: set MM_MTU = ${mtu}${more}`]);
  return [edit, restartWorkers()];
}

/** Workers read workers.ini when they start; restarting one kills its job, so it waits for idle workers. */
export function restartWorkers(): Step {
  return manual('restart-workers:workers.ini', 'a restart kills the running job', ['# workers read workers.ini at start: restart the instances once idle'], 'reload');
}
