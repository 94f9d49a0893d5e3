import {describe, expect, it, vi} from 'vitest';
import {CHECKS} from '../checks/registry.js';
import {DEFAULT_CONFIG} from '../config.js';
import {analyzeWithFacts} from '../engine.js';
import {topology} from '../facts/topology.js';
import {readSnapshot} from '../sources/archive.js';
import {render} from './pipeline.js';

describe('render html', () => {
  it('draws the host from the Facts the checks used, not from a second Facts', async () => {
    const snapshot = await readSnapshot(new URL('../../fixtures/demo', import.meta.url).pathname);
    const {report, facts} = analyzeWithFacts(snapshot, CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'});
    const get = vi.spyOn(facts, 'get');
    const html = await render(report, 'html', {color: false, facts});
    expect(get).toHaveBeenCalledWith(topology);
    // The topology came from this run: its host and a finding of this report are in the page.
    expect(html.text).toContain(report.target.host);
    expect(html.text).toContain(report.results.find((r) => r.findings.length > 0)!.findings[0]!.checkId);
  });
});
