import {XMLParser, XMLValidator} from 'fast-xml-parser';
import {describe, expect, it} from 'vitest';
import {finding, reportOf, sampleReport} from '../../test/report/fixtures.js';
import {attr, renderJunit, text, xmlSafe} from './junit.js';

describe('renderJunit', () => {
  it('renders one testcase per check with failure, skipped, error, pass notes and n/a as a pass with properties', () => {
    const report = reportOf([
      {
        id: 'TD003',
        slug: 'vlan-tag-mismatch',
        title: 't',
        severity: 'error',
        status: 'fail',
        findings: [
          finding({
            checkId: 'TD003',
            slug: 'vlan-tag-mismatch',
            subject: 'tap5',
            message: 'tag 13, job expects 12',
            explanation: 'Wrong VLAN.',
            fix: 'ovs-vsctl set port tap5 tag=12',
            evidence: [{source: 'ovs.ports', lines: ['["tap5",13,"dot1q-tunnel"]']}],
          }),
        ],
      },
      {id: 'TD009', slug: 'ip-forward-disabled', title: 't', severity: 'error', status: 'pass', findings: []},
      {id: 'TD006', slug: 'gre-mtu', title: 't', severity: 'error', status: 'pass', reason: 'no GRE ports', findings: []},
      {id: 'TD007', slug: 'factory-share-unmounted', title: 't', severity: 'error', status: 'skip', reason: 'mountinfo not collected', findings: []},
      {id: 'TD010', slug: 'ovs-flows-missing', title: 't', severity: 'error', status: 'error', reason: 'cannot parse', findings: []},
      {id: 'TD005', slug: 'forward-counters-zero', title: 't', severity: 'warning', status: 'n/a', reason: 'no filter FORWARD chain', findings: []},
    ]);
    expect(renderJunit(report)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="tapdoctor" tests="6" failures="1" errors="1" skipped="1">',
        '  <testsuite name="worker5" tests="6" failures="1" errors="1" skipped="1" timestamp="2026-11-21T23:33:33.000Z" hostname="worker5">',
        '    <properties>',
        '      <property name="mode" value="snapshot"/>',
        '      <property name="path" value="/tmp/worker5.tar.gz"/>',
        '    </properties>',
        '    <testcase classname="tapdoctor.worker5" name="TD003 vlan-tag-mismatch">',
        '      <failure message="tap5: tag 13, job expects 12" type="error">TD003 vlan-tag-mismatch [error] tap5',
        'tag 13, job expects 12',
        '',
        'Why:',
        'Wrong VLAN.',
        '',
        'Fix:',
        'ovs-vsctl set port tap5 tag=12',
        '',
        'Evidence:',
        '  ovs.ports:',
        '    ["tap5",13,"dot1q-tunnel"]</failure>',
        '    </testcase>',
        '    <testcase classname="tapdoctor.worker5" name="TD009 ip-forward-disabled"/>',
        '    <testcase classname="tapdoctor.worker5" name="TD006 gre-mtu">',
        '      <system-out>no GRE ports</system-out>',
        '    </testcase>',
        '    <testcase classname="tapdoctor.worker5" name="TD007 factory-share-unmounted">',
        '      <skipped message="mountinfo not collected"/>',
        '    </testcase>',
        '    <testcase classname="tapdoctor.worker5" name="TD010 ovs-flows-missing">',
        '      <error message="cannot parse"/>',
        '    </testcase>',
        '    <testcase classname="tapdoctor.worker5" name="TD005 forward-counters-zero">',
        '      <properties>',
        '        <property name="tapdoctor.status" value="n/a"/>',
        '        <property name="tapdoctor.reason" value="no filter FORWARD chain"/>',
        '      </properties>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('gives every finding of a check its own failure element, typed by severity', () => {
    const doc = parse(renderJunit(sampleReport()));
    const cases = doc.testsuites.testsuite.testcase;
    const td003 = cases.find((c: {name: string}) => c.name === 'TD003 vlan-tag-mismatch');
    expect(td003.failure.map((f: {message: string; type: string}) => [f.message, f.type])).toEqual([
      ['tap5 has tag 13, job 6 expects NICVLAN 12', 'error'],
      ['tap69 is untagged, job 6 expects NICVLAN 12', 'error'],
    ]);
    const td001 = cases.find((c: {name: string}) => c.name === 'TD001 multiple-uplinks');
    expect(td001.failure[0].type).toBe('warning');
    expect(doc.testsuites.testsuite['system-err']).toBe('firewalld.zones: needs root');
  });

  it('sums the counts over several hosts, one testsuite each', () => {
    const a = sampleReport();
    const b = reportOf([{id: 'TD009', slug: 'ip-forward-disabled', title: 't', severity: 'error', status: 'fail', findings: [finding({checkId: 'TD009', slug: 'ip-forward-disabled', subject: 'net.ipv4.ip_forward'})]}], {host: 'worker6'});
    const doc = parse(renderJunit([a, b]));
    expect(doc.testsuites).toMatchObject({tests: '8', failures: '4', errors: '1', skipped: '1'});
    expect(doc.testsuites.testsuite.map((s: {name: string; tests: string}) => [s.name, s.tests])).toEqual([
      ['worker5', '7'],
      ['worker6', '1'],
    ]);
  });

  it('keeps hostile text intact and the document well-formed', () => {
    const nasty = 'a&b <c> "d" \'e\' ]]> \u0000\u0007\u001b[31m \uFFFE \uD800 \uDC00 😀 line1\r\nline2\ttab';
    const report = reportOf([
      {
        id: 'TD001',
        slug: 'multiple-uplinks',
        title: 't',
        severity: 'warning',
        status: 'fail',
        findings: [finding({checkId: 'TD001', slug: 'multiple-uplinks', subject: 'eth<1>', message: nasty, fix: nasty, evidence: [{source: 's', lines: [nasty]}]})],
      },
      {id: 'TD007', slug: 'x', title: 't', severity: 'error', status: 'skip', reason: nasty, findings: []},
    ], {host: 'h"&<'});
    const xml = renderJunit(report);
    expect(XMLValidator.validate(xml)).toBe(true);
    // Nothing XML 1.0 forbids survives as a raw character.
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE\uFFFF]/);
    const visible = 'a&b <c> "d" \'e\' ]]> \\x00\\x07\\x1B[31m \\uFFFE \\uD800 \\uDC00 😀 line1\r\nline2\ttab';
    const doc = parse(xml);
    expect(doc.testsuites.testsuite.name).toBe('h"&<');
    expect(doc.testsuites.testsuite.testcase[0].failure[0].message).toBe(`eth<1>: ${visible}`);
    expect(doc.testsuites.testsuite.testcase[1].skipped.message).toBe(visible);
  });
});

describe('XML escaping helpers', () => {
  it('makes forbidden characters visible and keeps valid surrogate pairs', () => {
    expect(xmlSafe('\u0000x\u000b\u000c\u001f\uFFFF')).toBe('\\x00x\\x0B\\x0C\\x1F\\uFFFF');
    expect(xmlSafe('ok \t\n\r 😀 é')).toBe('ok \t\n\r 😀 é');
    expect(xmlSafe('\uDBFF')).toBe('\\uDBFF');
  });

  it('escapes content and attributes for their context', () => {
    expect(text('a<b>&c\r\n"\'')).toBe('a&lt;b&gt;&amp;c&#13;\n"\'');
    expect(attr('a<b>&c\r\n\t"\'')).toBe('a&lt;b&gt;&amp;c&#13;&#10;&#9;&quot;\'');
  });
});

/** Parse with attributes, always arrays for failure/testcase/testsuite where several may occur. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function parse(xml: string): any {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: true,
    isArray: (name) => name === 'failure' || name === 'testcase' || (name === 'testsuite' && xml.split('<testsuite ').length > 2),
  });
  return parser.parse(xml);
}
