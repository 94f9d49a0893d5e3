// systemd units: enabled (.wants links) and active states (list-units).
import {posix} from 'node:path';
import {parseListUnits, parseUnitFile, type UnitFile, type UnitState} from '../../parsers/systemd.js';
import {type Fact, type Facts} from '../facts.js';

/**
 * A unit file or drop-in as systemd reads it; the lines systemd skips (with a warning) are noted
 * as source problems of `source`, so a setting lost on a malformed line shows in the report.
 */
export function readUnitFile(f: Facts, source: string, file: {name: string; text: string}): UnitFile {
  const unit = parseUnitFile(file.text, file.name);
  f.noteParseProblems(source, unit.problems, file.name);
  return unit;
}

/** Units enabled through a symlink in /etc/systemd/system/*.wants/ (the link's file name). */
export const enabledUnits: Fact<Set<string>> = (f) => new Set(f.entries('systemd.wants').map((e) => posix.basename(e.name)));

/** A `systemctl list-units` row without what identifies it (the unit is the key, the line is of no use). */
export type ActiveUnit = Omit<UnitState, 'unit' | 'line'>;

/** `systemctl list-units --all`: unit → load/active/sub state. */
export const activeUnits: Fact<Record<string, ActiveUnit>> = (f) => {
  const out: Record<string, ActiveUnit> = Object.create(null);
  for (const u of parseListUnits(f.command('systemd.units').text, 'systemd.units')) {
    out[u.unit] = {load: u.load, active: u.active, sub: u.sub, description: u.description};
  }
  return out;
};
