// Builds fleets of snapshots from the captured three-host GRE mesh case (fixtures/cases/
// TD006-gre-mesh-default-mtu over fixtures/healthy-suse): host 1 of a mesh is the capture, hosts 2
// and 3 are the capture with its own uplink address swapped with a peer's, so every host has
// ports towards the other two. Each mesh gets its own addresses and `location-<n>` class.
// Used by the fleet tests and `npm run bench`; needs `npm run build`.
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {inferManifest} from '../dist/sources/infer-manifest.js';
import {readTree} from '../dist/sources/read-tree.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const CAPTURED = ['192.0.2.10', '192.0.2.20', '192.0.2.30'];

async function layer(dir) {
  const {tree, contents} = await readTree(dir);
  return {tree, contents};
}

/** The healthy three-host mesh host as one snapshot (manifest + contents), from the case overlay. */
export async function meshBase() {
  const base = await layer(join(FIXTURES, 'healthy-suse'));
  const overlay = await layer(join(FIXTURES, 'cases', 'TD006-gre-mesh-default-mtu'));
  const m = JSON.parse(await readFile(join(FIXTURES, 'healthy-suse', 'manifest.json'), 'utf8'));
  const tree = new Map([...base.tree, ...overlay.tree]);
  const contents = new Map([...base.contents, ...overlay.contents]);
  tree.delete('case.json');
  contents.delete('case.json');
  return {manifest: inferManifest(tree, {failed: m.fixture?.failed ?? {}, hostname: m.hostname, capturedAt: m.capturedAt}), contents};
}

/**
 * A copy of `snap` as another host: `addresses` maps captured addresses to new ones (applied at
 * once, so a swap works), in every content, manifest key and path; `edit` may change contents.
 */
export function asHost(snap, {hostname, addresses, capturedAt, edit}) {
  const re = new RegExp(`(?<![0-9.])(${Object.keys(addresses).map((a) => a.replace(/\./g, '\\.')).join('|')})(?![0-9])`, 'g');
  const swap = (s) => s.replace(re, (a) => addresses[a] ?? a);
  const manifest = JSON.parse(swap(JSON.stringify(snap.manifest)));
  manifest.hostname = hostname;
  if (capturedAt) manifest.capturedAt = capturedAt;
  const contents = new Map();
  for (const [k, v] of snap.contents) contents.set(swap(k), Buffer.from(swap(v.toString('utf8'))));
  const out = {manifest, contents};
  if (edit) edit(out);
  for (const rec of Object.values(manifest.sources)) for (const e of rec.entries) if (contents.has(e.path)) e.bytes = contents.get(e.path).length;
  return out;
}

export function text(snap, path) {
  return snap.contents.get(path)?.toString('utf8');
}
export function setText(snap, path, value) {
  snap.contents.set(path, Buffer.from(value));
}

/** Add a class to every WORKER_CLASS line of workers.ini. */
export function addClass(snap, cls) {
  const p = 'files/etc/openqa/workers.ini';
  setText(snap, p, text(snap, p).replace(/^(WORKER_CLASS\s*=\s*.*)$/gm, `$1,${cls}`));
}

/** Drop a tunnel port (interface row, port row, bridge's reference) from the OVS JSON lists. */
export function dropPort(snap, port) {
  const lists = Object.fromEntries(['bridges', 'ports', 'interfaces'].map((t) => [t, JSON.parse(text(snap, `commands/ovs.${t}`))]));
  const col = (t, name) => lists[t].headings.indexOf(name);
  const ifRow = lists.interfaces.data.find((r) => r[col('interfaces', 'name')] === port);
  const portRow = lists.ports.data.find((r) => r[col('ports', 'name')] === port);
  if (!ifRow || !portRow) throw new Error(`no port ${port}`);
  lists.interfaces.data = lists.interfaces.data.filter((r) => r !== ifRow);
  lists.ports.data = lists.ports.data.filter((r) => r !== portRow);
  const portUuid = portRow[col('ports', '_uuid')][1];
  for (const b of lists.bridges.data) {
    const ports = b[col('bridges', 'ports')];
    if (ports[0] === 'set') ports[1] = ports[1].filter((u) => u[1] !== portUuid);
  }
  for (const t of Object.keys(lists)) setText(snap, `commands/ovs.${t}`, JSON.stringify(lists[t]));
}

/** Three hosts of one healthy mesh: names `${prefix}1..3`, addresses `${net}.10/.20/.30`, class location-<loc>. */
export function meshOfThree(base, {prefix, net, loc, capturedAt}) {
  const own = (i) => `${net}.${(i + 1) * 10}`;
  return [0, 1, 2].map((i) => {
    // Host i takes the captured host's place: its address and the captured one trade places.
    const map = Object.fromEntries(CAPTURED.map((a, j) => [a, own(j)]));
    map[CAPTURED[0]] = own(i);
    map[CAPTURED[i]] = own(0);
    return asHost(base, {hostname: `${prefix}${i + 1}`, addresses: map, capturedAt, edit: loc ? (s) => addClass(s, `location-${loc}`) : undefined});
  });
}

