// Junk around real captures: skipped and said, never silently dropped, never hiding real lines.
import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';

import {mutationsOf} from '../../test/helpers/mutation.js';
import {IP_ADDRESS_TEXT, parseIpDAddressText} from '../sources/sosreport/ip-text.js';
import {skipJunk} from './junk.js';

const sample = (p: string) => readFileSync(new URL(`../../test/samples/${p}`, import.meta.url), 'utf8');
const INSIGHTS = sample('ip-addr-text/insights-truncated-tunnels.txt');
const HOTSOS = sample('ip-addr-text/hotsos-openstack-ip-d-address-excerpt.txt');

describe('skipJunk on ip address text', () => {
  it("skips insights' leading 'Message truncated' lines and says so; the links parse", () => {
    expect(() => parseIpDAddressText(INSIGHTS, 's')).toThrow(/s:1: /);
    const t = skipJunk(INSIGHTS, IP_ADDRESS_TEXT);
    expect(t.skippedLeading).toBe(3);
    expect(t.skippedTrailing).toBe(0);
    expect(t.note).toBe('skipped 3 leading lines ("Message truncated", …) that are not `ip address` output');
    const links = parseIpDAddressText(t.text, 's');
    expect(links[0]!.name).toBe('lo');
    expect(links.map((l) => l.name)).toContain('eth7');
  });

  it('leaves clean output untouched, byte for byte', () => {
    expect(skipJunk(HOTSOS, IP_ADDRESS_TEXT)).toEqual({text: HOTSOS, skippedLeading: 0, skippedTrailing: 0});
  });

  it('a prompt before and a prompt after a paste are both skipped', () => {
    const t = skipJunk(`$ ip -d address\n${HOTSOS}$ \n`, IP_ADDRESS_TEXT);
    expect(t.text).toBe(HOTSOS);
    expect(t.note).toBe('skipped 1 leading line ("$ ip -d address") and 1 trailing line ("$") that are not `ip address` output');
  });

  it('property: junk lines around real output are removed exactly, and counted', () => {
    const junkLine = fc.stringMatching(/^[A-Za-z$#>][^\n]{0,40}$/).filter((l) => l.trim() !== '' && !IP_ADDRESS_TEXT.start(l));
    fc.assert(
      fc.property(fc.constantFrom(HOTSOS, INSIGHTS.split('\n').slice(3).join('\n')), fc.array(junkLine, {maxLength: 4}), fc.array(junkLine, {maxLength: 4}), (real, before, after) => {
        const text = [...before, real.trimEnd(), ...after].join('\n');
        const t = skipJunk(text, IP_ADDRESS_TEXT);
        expect(t.text.trimEnd()).toBe(real.trimEnd());
        expect([t.skippedLeading, t.skippedTrailing]).toEqual([before.length, after.length]);
        expect(t.note === undefined).toBe(before.length + after.length === 0);
      }),
      {numRuns: 300},
    );
  });

  it('property: on mutated captures it never throws and never grows the text', () => {
    fc.assert(
      fc.property(mutationsOf([INSIGHTS, HOTSOS]), (text) => {
        const t = skipJunk(text, IP_ADDRESS_TEXT);
        expect(t.text.length).toBeLessThanOrEqual(text.length + 1);
      }),
      {numRuns: 300},
    );
  });
});
