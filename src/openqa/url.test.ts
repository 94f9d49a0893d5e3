import {describe, expect, it} from 'vitest';
import {OpenqaHostError, resolveOpenqaUrl} from './url.js';

const hrefs = (urls: URL[]) => urls.map((u) => u.href);

describe('resolveOpenqaUrl', () => {
  it('defaults to http://localhost/ when HOST is absent, empty, blank or "0"', () => {
    expect(hrefs(resolveOpenqaUrl(undefined))).toEqual(['http://localhost/']);
    expect(hrefs(resolveOpenqaUrl(''))).toEqual(['http://localhost/']);
    expect(hrefs(resolveOpenqaUrl('  \t '))).toEqual(['http://localhost/']);
    expect(hrefs(resolveOpenqaUrl('0'))).toEqual(['http://localhost/']);
  });

  it('speaks plain http to a bare host name, like the worker (no https default)', () => {
    expect(hrefs(resolveOpenqaUrl('openqa.suse.de'))).toEqual(['http://openqa.suse.de/']);
    expect(hrefs(resolveOpenqaUrl('localhost:9526'))).toEqual(['http://localhost:9526/']);
    expect(hrefs(resolveOpenqaUrl('172.17.0.1'))).toEqual(['http://172.17.0.1/']);
    expect(hrefs(resolveOpenqaUrl('[fd00::1]:9526'))).toEqual(['http://[fd00::1]:9526/']);
  });

  it('keeps the scheme of an entry written as a URL and reduces it to its origin', () => {
    expect(hrefs(resolveOpenqaUrl('http://172.17.0.1'))).toEqual(['http://172.17.0.1/']);
    expect(hrefs(resolveOpenqaUrl('https://openqa.opensuse.org'))).toEqual(['https://openqa.opensuse.org/']);
    // the worker forces the path to /api/v1/, so a path in HOST never mattered
    expect(hrefs(resolveOpenqaUrl('https://openqa.example.org/some/path?x=1#y'))).toEqual(['https://openqa.example.org/']);
    expect(hrefs(resolveOpenqaUrl('HTTPS://OpenQA.Example.ORG:8443/'))).toEqual(['https://openqa.example.org:8443/']);
  });

  it('splits several web UIs on any whitespace, in order, without duplicates', () => {
    expect(hrefs(resolveOpenqaUrl('https://o3 http://other'))).toEqual(['https://o3/', 'http://other/']);
    expect(hrefs(resolveOpenqaUrl('  openqa.suse.de\topenqa.opensuse.org  openqa.suse.de '))).toEqual([
      'http://openqa.suse.de/',
      'http://openqa.opensuse.org/',
    ]);
    expect(hrefs(resolveOpenqaUrl('http://a http://a/'))).toEqual(['http://a/']);
  });

  it('lets the override replace HOST entirely, and ignores an empty override', () => {
    expect(hrefs(resolveOpenqaUrl('openqa.suse.de', 'https://openqa.opensuse.org'))).toEqual(['https://openqa.opensuse.org/']);
    expect(hrefs(resolveOpenqaUrl('openqa.suse.de', ''))).toEqual(['http://openqa.suse.de/']);
    expect(hrefs(resolveOpenqaUrl(undefined, 'a b'))).toEqual(['http://a/', 'http://b/']);
  });

  it('rejects entries the worker could not use, naming the entry', () => {
    expect(() => resolveOpenqaUrl('openqa.suse.de/')).toThrow(
      new OpenqaHostError('openqa.suse.de/', 'not a URL (expected e.g. https://openqa.example.org)'),
    );
    expect(() => resolveOpenqaUrl('ftp://openqa.suse.de')).toThrow('web UI host "ftp://openqa.suse.de": scheme ftp is not http or https');
    expect(() => resolveOpenqaUrl('good.example bad:port')).toThrow('web UI host "bad:port": not a valid host[:port]');
    const err = (() => {
      try {
        resolveOpenqaUrl('file:///etc/openqa');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(OpenqaHostError);
    expect((err as OpenqaHostError).entry).toBe('file:///etc/openqa');
  });
});
