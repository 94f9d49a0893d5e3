import {describe, expect, it} from 'vitest';
import {TEMPLATE_REASON} from '../parsers/template.js';
import type {Snapshot} from './snapshot.js';
import {refuseTemplates} from './templates.js';

const entry = (path: string) => ({path: `files${path}`, binding: path, durationMs: 0, bytes: 0, truncated: false});

describe('refuseTemplates', () => {
  it('refuses the Jinja files of a file source and keeps the rest, with or without braces', () => {
    const files = {
      '/etc/sysconfig/network/ifcfg-br1': "BOOTPROTO='static'\nIPADDR='{{ bridge_ip }}/15'\n",
      '/etc/sysconfig/network/ifcfg-tap0': "BOOTPROTO='none'\nTUNNEL='tap'\n",
      '/etc/sysconfig/network/ifcfg-tap1': "BOOTPROTO='none'\nOVS_BRIDGE_PORT_DEVICE_1='{tap1}'\n",
    };
    const snapshot = {
      manifest: {sources: {'network.ifcfg': {name: 'network.ifcfg', status: 'ok', entries: Object.keys(files).map(entry)}}},
      contents: new Map(Object.entries(files).map(([p, t]) => [`files${p}`, Buffer.from(t)])),
    } as unknown as Snapshot;
    refuseTemplates(snapshot);
    const rec = snapshot.manifest.sources['network.ifcfg']!;
    expect(rec.entries.map((e) => [e.binding, e.error])).toEqual([
      ['/etc/sysconfig/network/ifcfg-br1', TEMPLATE_REASON],
      ['/etc/sysconfig/network/ifcfg-tap0', undefined],
      ['/etc/sysconfig/network/ifcfg-tap1', undefined],
    ]);
    expect([...snapshot.contents.keys()]).toEqual(['files/etc/sysconfig/network/ifcfg-tap0', 'files/etc/sysconfig/network/ifcfg-tap1']);
    expect(rec.status).toBe('ok');
  });
});
