// Unrendered templates are told apart from real files: every published template sample is one,
// no real capture or config sample is.
import {readdirSync, readFileSync, statSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';

import {mutationsOf} from '../../test/helpers/mutation.js';
import {looksLikeTemplate} from './template.js';

const ROOT = new URL('../../test/samples/', import.meta.url);
const TEMPLATES = new Set([
  'firewalld-zone-xml/salt-openqa-trusted-2020.txt',
  'ifcfg/fedora-ifcfg-gre.j2-2016.txt',
  'iptables-save/fedora-openqa-tap-workers-template-2019.txt',
  'workers-ini/salt-openqa-workers.ini-template.txt',
]);
const samples: Array<[string, string]> = [];
for (const dir of readdirSync(ROOT)) {
  if (!statSync(new URL(dir, ROOT)).isDirectory()) continue;
  // Capture scripts are not samples (their comments quote templates).
  for (const f of readdirSync(new URL(`${dir}/`, ROOT))) if (!f.endsWith('.sh')) samples.push([`${dir}/${f}`, readFileSync(new URL(`${dir}/${f}`, ROOT), 'utf8')]);
}

describe('looksLikeTemplate', () => {
  it('finds the Jinja samples (salt, ansible) and no other sample', () => {
    expect(samples.length).toBeGreaterThan(100);
    const found = samples.filter(([, text]) => looksLikeTemplate(text)).map(([name]) => name);
    expect(new Set(found)).toEqual(TEMPLATES);
  });

  it('knows shell ${{, empty braces and JSON from Jinja', () => {
    expect(looksLikeTemplate('echo ${{x}}')).toBe(false);
    expect(looksLikeTemplate('{"a":{"b":{}}}')).toBe(false);
    expect(looksLikeTemplate('x = {{ }}')).toBe(false);
    expect(looksLikeTemplate('a {{\n b }}')).toBe(false);
    expect(looksLikeTemplate("DEVICE='{{ bridge }}'")).toBe(true);
    expect(looksLikeTemplate('{% if x %}\nA=1\n{% endif %}')).toBe(true);
    expect(looksLikeTemplate('{# salt managed #}')).toBe(true);
  });

  it('property: any real sample becomes a template when a placeholder is put in, and mutations never throw', () => {
    const real = samples.filter(([name]) => !TEMPLATES.has(name)).map(([, t]) => t).slice(0, 40);
    fc.assert(
      fc.property(fc.constantFrom(...real), fc.nat(), fc.constantFrom('{{ bridge_iface }}', '{%- if x %}', '{{item.name}}'), (text, at, tag) => {
        const i = at % (text.length + 1);
        expect(looksLikeTemplate(`${text.slice(0, i)}${tag}${text.slice(i)}`)).toBe(true);
      }),
      {numRuns: 300},
    );
    fc.assert(fc.property(mutationsOf(real.slice(0, 10), {specials: ['{{', '}}', '{%', '%}', '{#', '#}', '$']}), (text) => void looksLikeTemplate(text)), {numRuns: 200});
  });
});
