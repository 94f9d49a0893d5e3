// TD204: a tap class (tap, tap2, ...) carried by several hosts of the same locations with neither
// a tunnel between them nor PARALLEL_ONE_HOST_ONLY=1: the scheduler splits clusters over hosts
// whose bridges never meet. Hosts already in a mesh missing one peer are TD201's.
import {defineFleetCheck, hostEvidence, type FleetFindingDraft} from '../define.js';
import {isTapClass, locationClasses} from '../fleet.js';
import type {FleetHostView} from '../host-view.js';
import {manual} from '../../remedies/step.js';

export default defineFleetCheck('TD204', (fleet) => {
  const groups = new Map<string, FleetHostView[]>();
  for (const h of fleet.hosts) {
    if (h.parallelOneHostOnly) continue;
    const loc = locationClasses(h).sort().join(',');
    for (const c of h.classes.filter(isTapClass)) {
      const key = `${c}${loc ? ` (${loc})` : ''}`;
      groups.set(key, [...(groups.get(key) ?? []), h]);
    }
  }
  const out: FleetFindingDraft[] = [];
  for (const [cls, hosts] of groups) {
    if (hosts.length < 2) continue;
    const unmeshed = hosts.filter((h) => !hosts.some((o) => o !== h && fleet.joined(h, o)));
    // Part of the class is meshed: the hosts outside it are missing peers (TD201 for `tap`).
    if (unmeshed.length < 2 || (cls.startsWith('tap ') || cls === 'tap') && unmeshed.length < hosts.length) continue;
    const names = unmeshed.map((h) => h.name);
    const className = cls.split(' ')[0]!;
    out.push({
      hosts: names,
      subject: `class ${cls}`,
      message: `worker class ${cls} is carried by ${names.join(', ')} with no tunnel between them and without PARALLEL_ONE_HOST_ONLY=1, expected a GRE mesh, PARALLEL_ONE_HOST_ONLY=1, or the class on one host: clusters split over these hosts time out at their first barrier`,
      // An admin decision (one host per cluster, a mesh, or separate classes): advice on every host named.
      fix: unmeshed.map((h) => ({
        host: h.name,
        steps: [
          manual(`class-split:${cls}`, 'keep clusters on one host, mesh the hosts, or split the class: an admin decision', [
            '# either keep each cluster on one host: add to /etc/openqa/workers.ini [global]:',
            '#   PARALLEL_ONE_HOST_ONLY = 1',
            `# or join ${names.join(', ')} by a GRE mesh (each host a port towards every other: see TD201's fix), or give each host its own class (${className}, ${className === 'tap' ? 'tap2' : `${className}b`}, ...)`,
          ]),
        ],
      })),
      evidence: unmeshed.map((h) => hostEvidence(h.name, 'openqa.workers-ini', `WORKER_CLASS includes ${className}; PARALLEL_ONE_HOST_ONLY not 1; tunnel ports: ${h.tunnels.map((t) => `${t.port}->${t.remoteIp}`).join(', ') || 'none'}`)),
    });
  }
  return out;
});
