// Plant secrets in the files tapdoctor copies, redact them with the catalogue's rule, write a
// snapshot and search the bytes on disk - compressed and inflated - for every planted secret.

import {readFileSync} from 'node:fs';
import path from 'node:path';
import {gunzipSync} from 'node:zlib';

import {beforeAll, describe, expect, it} from 'vitest';

import {readSnapshot} from '../../src/sources/archive.js';
import {CATALOGUE, NEVER_CAPTURED, type FilesSource} from '../../src/sources/catalogue.js';
import {redactCaptured, REDACTION_MARKER} from '../../src/sources/redact.js';
import {filePath, type Snapshot, type SourceRecord} from '../../src/sources/snapshot.js';
import {writeSnapshot} from '../../src/sources/write.js';
import {testManifest} from '../helpers/snapshot.js';
import {useTempDir} from '../helpers/temp-dir.js';

interface Planted {
  source: string;
  hostPath: string;
  text: string;
  secrets: string[];
  /** Values that must survive redaction (the checks need them). */
  kept: string[];
  redacted: string[];
}

const PLANTED: Planted[] = [
  {
    source: 'openqa.workers-ini',
    hostPath: '/etc/openqa/workers.ini',
    text: [
      '[global]',
      'HOST = https://openqa.opensuse.org',
      'WORKER_CLASS = qemu_x86_64,tap',
      '',
      '[openqa.opensuse.org]',
      'key = 1A2B3C4D5E6F7A8B',
      'secret = 9F8E7D6C5B4A3F2E',
      'UPLOAD_API_TOKEN = tok-Vv1NqZ',
      'CACHEDIRECTORY = /var/lib/openqa/cache',
      'SYNC_URL = rsync://openqa:Rsync-Pw-4411@openqa.example.com/tests',
      'ASSET_MIRROR = https://ghp_T0kenOnly9@mirror.example.com/assets?x=1',
      '',
    ].join('\n'),
    secrets: ['1A2B3C4D5E6F7A8B', '9F8E7D6C5B4A3F2E', 'tok-Vv1NqZ', 'Rsync-Pw-4411', 'ghp_T0kenOnly9'],
    kept: ['https://openqa.opensuse.org', 'qemu_x86_64,tap', 'rsync://redacted-by-tapdoctor@openqa.example.com/tests', 'https://redacted-by-tapdoctor@mirror.example.com/assets?x=1'],
    redacted: ['key@line 6', 'secret@line 7', 'UPLOAD_API_TOKEN@line 8', 'url-userinfo@line 10', 'url-userinfo@line 11'],
  },
  {
    source: 'fstab',
    hostPath: '/etc/fstab',
    text: [
      'UUID=1f2aa318-9c34 / btrfs defaults 0 0',
      '//nas.example.com/factory /var/lib/openqa/share cifs username=openqa,password=Sh4re-P4ss,,word,vers=3.0 0 0',
      '//nas.example.com/other /mnt/other cifs credentials=/root/.cifs-cred-Q7,uid=1000 0 0',
      '',
    ].join('\n'),
    secrets: ['Sh4re-P4ss', 'word,vers', '/root/.cifs-cred-Q7'],
    kept: ['username=openqa', 'vers=3.0', '/var/lib/openqa/share'],
    redacted: ['password@line 2', 'credentials@line 3'],
  },
  {
    source: 'network.nm',
    hostPath: '/etc/NetworkManager/system-connections/uplink.nmconnection',
    text: [
      '[connection]',
      'id=uplink',
      'type=wifi',
      'interface-name=wlan0',
      '',
      '[wifi-security]',
      'key-mgmt=wpa-psk',
      'psk=Wpa2-Passphrase-XY',
      '',
      '[802-1x]',
      'private-key-password=PkPw-5544',
      '',
    ].join('\n'),
    secrets: ['Wpa2-Passphrase-XY', 'PkPw-5544'],
    kept: ['interface-name=wlan0', 'key-mgmt=wpa-psk'],
    redacted: ['psk@line 8', 'private-key-password@line 11'],
  },
  {
    source: 'openqa.pool',
    hostPath: '/var/lib/openqa/pool/3/vars.json',
    text: JSON.stringify(
      {NICVLAN: '12', TAPDEV: 'tap66', _SECRET_FOO: 'Sekr1t-Foo-77', PASSWORD: 'nots3cr3t-Ab', SCC_REGCODE: 'REG-ABC-123', WORKER_INSTANCE: 3},
      null,
      3,
    ),
    secrets: ['Sekr1t-Foo-77', 'nots3cr3t-Ab', 'REG-ABC-123'],
    kept: ['"NICVLAN": "12"', '"TAPDEV": "tap66"'],
    redacted: ['_SECRET_FOO@line 4', 'PASSWORD@line 5', 'SCC_REGCODE@line 6'],
  },
  {
    source: 'network.ifcfg',
    hostPath: '/etc/sysconfig/network/ifcfg-wlan0',
    text: "BOOTPROTO='dhcp'\nSTARTMODE='auto'\nWIRELESS_WPA_PSK='Ifcfg-Psk-0099'\nWIRELESS_KEY_0=\"s:WepKey-11\"\n",
    secrets: ['Ifcfg-Psk-0099', 'WepKey-11'],
    kept: ["BOOTPROTO='dhcp'"],
    redacted: ['WIRELESS_WPA_PSK@line 3', 'WIRELESS_KEY_0@line 4'],
  },
  {
    source: 'systemd.mount-units',
    hostPath: '/etc/systemd/system/var-lib-openqa-share.mount',
    text: '[Mount]\nWhat=//nas.example.com/factory\nWhere=/var/lib/openqa/share\nType=cifs\nOptions=username=openqa,password=Unit-Pw-31\n',
    secrets: ['Unit-Pw-31'],
    kept: ['Where=/var/lib/openqa/share', 'username=openqa'],
    redacted: ['password@line 5'],
  },
];

function ruleOf(source: string): FilesSource['redaction'] {
  const spec = CATALOGUE.find((s) => s.name === source);
  if (spec?.kind !== 'files') throw new Error(`${source} is not a files source`);
  return spec.redaction;
}

let tarball: string;
let redactedTexts: Map<string, {text: string; redacted: string[]}>;

const dir = useTempDir('tapdoctor-secrets-', 'all');
beforeAll(async () => {
  redactedTexts = new Map();
  const sources: Record<string, SourceRecord> = {};
  const contents = new Map<string, Buffer>();
  for (const p of PLANTED) {
    // What collection does with every captured file (src/sources/read-files.ts).
    const captured = redactCaptured(Buffer.from(p.text, 'utf8'), ruleOf(p.source));
    const result = {text: captured.data.toString('utf8'), redacted: captured.redacted};
    redactedTexts.set(p.hostPath, result);
    const data = captured.data;
    contents.set(filePath(p.hostPath), data);
    sources[p.source] = {
      name: p.source,
      status: 'ok',
      entries: [{path: filePath(p.hostPath), binding: p.hostPath, durationMs: 1, bytes: data.length, truncated: false, mode: 0o600, redacted: result.redacted}],
    };
  }
  const snapshot: Snapshot = {manifest: testManifest(sources), contents};
  tarball = await writeSnapshot(snapshot, path.join(dir(), 'snap.tar.gz'));
});

describe('planted secrets', () => {
  it.each(PLANTED.map((p) => [p.hostPath, p] as const))('%s: redacted lists exactly the secret keys', (_name, p) => {
    expect(redactedTexts.get(p.hostPath)!.redacted).toEqual(p.redacted);
  });

  it.each(PLANTED.map((p) => [p.hostPath, p] as const))('%s: the values the checks need survive', (_name, p) => {
    const text = redactedTexts.get(p.hostPath)!.text;
    for (const k of p.kept) expect(text).toContain(k);
    expect(text).toContain(REDACTION_MARKER.split(' ')[0]);
    expect(text.split('\n').length).toBe(p.text.split('\n').length);
  });

  it('appear nowhere in the tarball, compressed or inflated', () => {
    const raw = readFileSync(tarball);
    const inflated = gunzipSync(raw);
    for (const p of PLANTED) {
      for (const secret of p.secrets) {
        const needle = Buffer.from(secret, 'utf8');
        expect(raw.includes(needle), `${secret} in the compressed file`).toBe(false);
        expect(inflated.includes(needle), `${secret} in the tar`).toBe(false);
        expect(inflated.includes(Buffer.from(secret, 'utf16le')), `${secret} as UTF-16`).toBe(false);
      }
    }
  });

  it('the snapshot read back still carries the redaction list in its manifest', async () => {
    const back = await readSnapshot(tarball);
    expect(back.manifest.sources['fstab']!.entries[0]!.redacted).toEqual(['password@line 2', 'credentials@line 3']);
  });

  it('the files holding API keys are never captured by any catalogue glob', () => {
    const globs = CATALOGUE.flatMap((s) => (s.kind === 'files' ? s.paths : []));
    const toRegex = (glob: string) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    for (const never of NEVER_CAPTURED) expect(globs.filter((g) => toRegex(g).test(never)), never).toEqual([]);
  });
});
