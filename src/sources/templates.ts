// Copied files that are unrendered templates (`{{ bridge }}`, `{% for %}`: salt or ansible sources
// dropped in place of the file they should render) are not host configuration. Their entries get
// the error "template, not a rendered file" instead of being parsed, so no check reads a
// placeholder as an interface name; a source made only of templates fails with that reason.
import {looksLikeTemplate, TEMPLATE_REASON} from '../parsers/template.js';
import {CATALOGUE} from './catalogue.js';
import type {Snapshot} from './snapshot.js';

const FILES_SOURCES = new Set(CATALOGUE.filter((s) => s.kind === 'files').map((s) => s.name));

export function refuseTemplates(snapshot: Snapshot): void {
  for (const rec of Object.values(snapshot.manifest.sources)) {
    if (!FILES_SOURCES.has(rec.name) || rec.status === 'failed') continue;
    let refused = 0;
    let usable = 0;
    for (const e of rec.entries) {
      if (e.error || e.absent || e.linkTarget !== undefined) continue;
      usable++;
      const data = snapshot.contents.get(e.path);
      if (!looksLikeTemplate(e.binding) && !(data && mayHoldTemplate(data) && looksLikeTemplate(data.toString('utf8')))) continue;
      e.error = TEMPLATE_REASON;
      snapshot.contents.delete(e.path);
      refused++;
    }
    if (refused > 0 && refused === usable) {
      rec.status = 'failed';
      rec.reason = `${rec.entries.filter((e) => e.error === TEMPLATE_REASON).map((e) => e.binding).join(', ')}: ${TEMPLATE_REASON}`;
    }
  }
}

/**
 * Every Jinja mark opens with `{`, a byte that occurs in UTF-8 only as itself: a file without one
 * (sysfs values, ifcfg files: ~2,000 on a 300-tap host) is no template and need not be decoded.
 */
function mayHoldTemplate(data: Buffer): boolean {
  return data.includes(0x7b);
}
