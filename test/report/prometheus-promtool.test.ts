// Validate renderPrometheus output with Prometheus's own linter (Debian package `prometheus`
// ships /usr/bin/promtool; or point PROMTOOL at a promtool binary).
import {describe, expect, it} from 'vitest';
import {renderPrometheus} from '../../src/report/prometheus.js';
import {reportOf, sampleReport} from './fixtures.js';
import {findTool, run, skipWithout} from './tools.js';

const promtool = findTool('promtool', 'PROMTOOL');
const skip = skipWithout('promtool', promtool !== undefined, 'apt-get install prometheus, or PROMTOOL=/path/to/promtool');

describe.skipIf(skip)('Prometheus output against promtool check metrics', () => {
  it('passes parsing and lint for a full report and an empty one', () => {
    for (const text of [
      renderPrometheus(sampleReport(), 1795000000.5, {version: '0.1.0'}),
      renderPrometheus(reportOf([]), 1795000000),
      renderPrometheus(reportOf([], {host: 'we\\ird "host"\nname'}), 1, {version: '"x"'}),
    ]) {
      const r = run(promtool ?? 'promtool', ['check', 'metrics'], text);
      expect({status: r.status, out: r.stdout + r.stderr}).toEqual({status: 0, out: ''});
    }
  });

  it('promtool really lints (a counter without _total fails)', () => {
    const r = run(promtool ?? 'promtool', ['check', 'metrics'], '# HELP x y\n# TYPE x counter\nx 1\n');
    expect(r.status).not.toBe(0);
  });
});
