// Seconds since boot.

import {ParseError} from '../../parsers/errors.js';
import {parseProcValue} from '../../parsers/sysctl.js';
import {FactUnavailable, type Fact} from '../facts.js';

/** Seconds since boot (first field of /proc/uptime). */
export const uptimeSeconds: Fact<number> = (f) => {
  const file = f.file('proc.uptime', '/proc/uptime');
  if (!file) throw new FactUnavailable('/proc/uptime was not captured');
  const first = parseProcValue(file.text, '/proc/uptime').split(/\s+/)[0]!;
  if (!/^\d{1,12}(\.\d{1,9})?$/.test(first)) throw new ParseError('/proc/uptime', 1, first, 'expected seconds since boot');
  return Number(first);
};
