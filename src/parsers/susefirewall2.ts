// /etc/sysconfig/SuSEfirewall2: the persisted firewall of older SUSE workers (before firewalld).
// SuSEfirewall2 sources the file as shell, so it is read with the shared shell-variable reader.
// Semantics from the upstream template, openSUSE/susefirewall2 `SuSEfirewall2.sysconfig`:
//  - FW_DEV_EXT / FW_DEV_INT / FW_DEV_DMZ: space-separated interface names. In FW_DEV_EXT "auto"
//    means the device of the default route, and "any" counts unknown interfaces as external for
//    traffic to the host only: "If you want forwarding or masquerading you still have to add the
//    external interfaces individually."
//  - FW_ROUTE: routing between the zones; FW_MASQUERADE: masquerade internal networks. Both are
//    yes/no and default to "no" when unset.
//  - FW_MASQ_DEV: where to masquerade; default "$FW_DEV_EXT". FW_MASQ_NETS: who may be
//    masqueraded; default "0/0".
//  - FW_SERVICES_EXT_IP: IP protocols (names or numbers, e.g. 47 = GRE) accepted from outside.
// `$VAR` / `${VAR}` naming an earlier assignment is expanded as the sourcing shell would. The shared
// reader does not keep quoting, so a single-quoted `'$FW_DEV_EXT'` (literal in shell) is expanded too;
// the template and YaST write double quotes.
import {parseShellVars} from './shellvars.js';

export interface SuSEfirewall2Problem {
  line: number;
  message: string;
}

export interface SuSEfirewall2Config {
  path: string;
  /** Explicit external interfaces (without the keywords "any" and "auto"). */
  devExt: string[];
  /** FW_DEV_EXT holds "auto": the default route's device is external. */
  extAuto: boolean;
  /** FW_DEV_EXT holds "any". */
  extAny: boolean;
  devInt: string[];
  devDmz: string[];
  route: boolean;
  masquerade: boolean;
  /** Devices masqueraded on (FW_MASQ_DEV, default FW_DEV_EXT); may hold "auto". */
  masqDev: string[];
  masqNets: string[];
  servicesExtIp: string[];
  /** Line of each variable's (last) assignment, for evidence. */
  lines: Record<string, number>;
  /** Expanded values of every assignment (last wins). */
  values: Record<string, string>;
  problems: SuSEfirewall2Problem[];
}

const YESNO = ['FW_ROUTE', 'FW_MASQUERADE'];

export function parseSuSEfirewall2(text: string, path: string): SuSEfirewall2Config {
  const vars = parseShellVars(text, path);
  const values: Record<string, string> = Object.create(null);
  const lines: Record<string, number> = Object.create(null);
  const problems: SuSEfirewall2Problem[] = [];
  for (const e of vars.entries) {
    values[e.name] = e.value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, braced?: string, bare?: string) => {
      const name = (braced ?? bare)!;
      if (!(name in values)) problems.push({line: e.line, message: `${e.name} refers to $${name}, which is not set before it: expands to nothing`});
      return values[name] ?? '';
    });
    lines[e.name] = e.line;
  }
  const list = (name: string) => (values[name] ?? '').split(/\s+/).filter((w) => w !== '');
  for (const name of YESNO) {
    const v = values[name];
    if (v !== undefined && v !== 'yes' && v !== 'no') problems.push({line: lines[name]!, message: `${name}="${v}" is neither "yes" nor "no": SuSEfirewall2 treats it as "no"`});
  }
  const ext = list('FW_DEV_EXT');
  const masqDev = 'FW_MASQ_DEV' in values ? list('FW_MASQ_DEV') : ext;
  return {
    path,
    devExt: ext.filter((d) => d !== 'any' && d !== 'auto'),
    extAuto: ext.includes('auto'),
    extAny: ext.includes('any'),
    devInt: list('FW_DEV_INT'),
    devDmz: list('FW_DEV_DMZ'),
    route: values.FW_ROUTE === 'yes',
    masquerade: values.FW_MASQUERADE === 'yes',
    // "any" never masquerades (see above); "auto" stays for the caller to resolve.
    masqDev: masqDev.filter((d) => d !== 'any'),
    masqNets: 'FW_MASQ_NETS' in values ? list('FW_MASQ_NETS') : ['0/0'],
    servicesExtIp: list('FW_SERVICES_EXT_IP'),
    lines,
    values,
    problems,
  };
}
