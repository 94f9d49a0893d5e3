// `sysctl -a` text (sos: kernel/sysctl_-a) turned into the /proc/sys files the live collector
// reads for sysctl.runtime: only the forwarding and accept_ra keys tapdoctor uses.

/** sysctl names a /proc/sys path with dots; a dot inside a segment (interface eth0.57) is shown as '/'. */
export function sysctlKeyToPath(key: string): string {
  return `/proc/sys/${key
    .split('.')
    .map((seg) => seg.replace(/\//g, '.'))
    .join('/')}`;
}

function wanted(key: string): boolean {
  const parts = key.split('.');
  if (key === 'net.ipv4.ip_forward') return true;
  if (parts.length !== 5 || parts[0] !== 'net' || parts[2] !== 'conf' || parts[3] === '') return false;
  if (parts[1] === 'ipv4') return parts[4] === 'forwarding';
  if (parts[1] === 'ipv6') return parts[4] === 'forwarding' || parts[4] === 'accept_ra';
  return false;
}

/** `key = value` lines -> [/proc/sys path, value] for the keys sysctl.runtime holds. Other lines are ignored. */
export function sysctlRuntimeFiles(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const raw of text.split('\n')) {
    const eq = raw.indexOf(' = ');
    if (eq <= 0) continue;
    const key = raw.slice(0, eq).trim();
    if (!wanted(key)) continue;
    out.push([sysctlKeyToPath(key), raw.slice(eq + 3).replace(/\r$/, '').trim()]);
  }
  return out;
}
