import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {createServer as createHttpServer, type Server} from 'node:http';
import {createServer as createHttpsServer} from 'node:https';
import {type AddressInfo, createServer as createTcpServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import nock from 'nock';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {askRunningJobs, nextLink, type AskRunningJobsOk, type AskRunningJobsResult} from './client.js';

const recordedText = (name: string) => readFileSync(new URL(`../../test/openqa/${name}`, import.meta.url), 'utf8');

const BASE = 'http://openqa.example';
const API = `${BASE}/api/v1/workers`;
const JSON_TYPE = {'content-type': 'application/json;charset=UTF-8'};

/** The web UI must be asked read-only and anonymously. */
function webUi(base = BASE) {
  return nock(base, {badheaders: ['authorization', 'x-api-key', 'x-api-hash', 'x-api-microtime', 'cookie']}).matchHeader(
    'accept',
    'application/json',
  );
}

function replyRecorded(name: string, base = BASE) {
  return webUi(base).get('/api/v1/workers').reply(200, recordedText(name), JSON_TYPE);
}

async function ask(hostname: string, extra: Partial<Parameters<typeof askRunningJobs>[0]> = {}): Promise<AskRunningJobsResult> {
  return askRunningJobs({baseUrl: new URL(BASE), hostname, timeoutMs: 5000, ...extra});
}

function expectOk(result: AskRunningJobsResult): AskRunningJobsOk {
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`);
  return result;
}

const HOSTS_SEEN = ['grenache-1', 'openqaworker-arm-1', 'worker35.oqa.prg2.suse.org', 'worker36.oqa.prg2.suse.org'];

beforeEach(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('nock and the global fetch', () => {
  it('intercepts Node 20 global fetch (undici): unmocked hosts are refused, mocked ones answered', async () => {
    await expect(fetch('http://unmocked.example/')).rejects.toMatchObject({name: 'NetConnectNotAllowedError'});
    const scope = replyRecorded('workers-this-host-idle.json');
    expectOk(await ask('worker35'));
    expect(scope.isDone()).toBe(true);
  });
});

describe('askRunningJobs: answers', () => {
  it('names the running jobs of this host with id, URL, status and step', async () => {
    replyRecorded('workers-several-hosts.json');
    const result = expectOk(await ask('worker35'));
    expect(result.baseUrl).toBe('http://openqa.example/');
    expect(result.running).toEqual([
      {instance: 1, jobId: 15234567, url: 'http://openqa.example/tests/15234567', status: 'running', workerId: 2201, currentStep: 'yast2_lan'},
      {instance: 5, jobId: 15234570, url: 'http://openqa.example/tests/15234570', status: 'running', workerId: 2205, currentStep: null},
    ]);
    expect(result.workers.map((w) => [w.instance, w.status])).toEqual([
      [1, 'running'],
      [2, 'idle'],
      [3, 'broken'],
      [4, 'dead'],
      [5, 'running'],
    ]);
    expect(result.otherInstances).toEqual([]);
    expect(result.hostsSeen).toEqual(HOSTS_SEEN);
  });

  it('reports an idle host as having nothing running, ignoring other hosts busy workers', async () => {
    replyRecorded('workers-this-host-idle.json');
    const result = expectOk(await ask('worker35.oqa.prg2.suse.org'));
    expect(result.running).toEqual([]);
    expect(result.workers.map((w) => `${w.id}:${w.instance}:${w.status}`)).toEqual(['2201:1:idle', '2202:2:idle', '2203:3:idle']);
    expect(result.hostsSeen).toEqual(['worker35.oqa.prg2.suse.org', 'worker36.oqa.prg2.suse.org']);
  });

  it('counts a dead worker that still holds a job as busy, and matches an FQDN to a short registration', async () => {
    replyRecorded('workers-several-hosts.json');
    const result = expectOk(await ask('GRENACHE-1.oqa.prg2.suse.org'));
    expect(result.running).toEqual([
      {instance: 2, jobId: 15230001, url: 'http://openqa.example/tests/15230001', status: 'dead', workerId: 1802, currentStep: 'install_ltp'},
    ]);
    expect(result.workers).toEqual([
      {id: 1801, host: 'grenache-1', instance: 1, status: 'idle', jobId: null, currentStep: null, error: null, alive: true},
      {id: 1802, host: 'grenache-1', instance: 2, status: 'dead', jobId: 15230001, currentStep: 'install_ltp', error: null, alive: false},
    ]);
  });

  it('reports broken workers without a job as not running, with their error text', async () => {
    replyRecorded('workers-several-hosts.json');
    const result = expectOk(await ask('openqaworker-arm-1'));
    expect(result.running).toEqual([]);
    expect(result.workers.map((w) => [w.instance, w.status, w.error])).toEqual([
      [1, 'broken', 'A QEMU instance using the current pool directory is still running (PID: 48213)'],
      [2, 'broken', 'Worker cache not available: Cache service info error: Connection refused'],
    ]);
  });

  it('considers only the given instances and lists the others apart', async () => {
    replyRecorded('workers-several-hosts.json');
    const result = expectOk(await ask('worker35', {instances: [2, 3, 4]}));
    expect(result.running).toEqual([]);
    expect(result.workers.map((w) => w.instance)).toEqual([2, 3, 4]);
    expect(result.otherInstances.map((w) => [w.instance, w.jobId])).toEqual([
      [1, 15234567],
      [5, 15234570],
    ]);
  });

  it('returns no workers at all for a host the web UI does not know, with the names it does know', async () => {
    replyRecorded('workers-several-hosts.json');
    const result = expectOk(await ask('worker3'));
    expect(result).toEqual({ok: true, baseUrl: 'http://openqa.example/', running: [], workers: [], otherInstances: [], hostsSeen: HOSTS_SEEN});
  });

  it('reads a pre-2020 web UI answer', async () => {
    replyRecorded('workers-legacy-2019.json');
    const result = expectOk(await ask('openqaworker4.suse.de'));
    expect(result.running).toEqual([
      {instance: 1, jobId: 1069582, url: 'http://openqa.example/tests/1069582', status: 'running', workerId: 35, currentStep: 'partitioning_lvm'},
    ]);
  });

  it('asks the origin of the base URL and builds job URLs there (https, port, path ignored)', async () => {
    const scope = replyRecorded('workers-several-hosts.json', 'https://openqa.example:8443');
    const result = expectOk(await ask('worker36', {baseUrl: new URL('https://openqa.example:8443/some/path')}));
    expect(scope.isDone()).toBe(true);
    expect(result.baseUrl).toBe('https://openqa.example:8443/');
    expect(result.running.map((r) => r.url)).toEqual(['https://openqa.example:8443/tests/15234999']);
  });

  it('follows rel="next" pagination to the last page', async () => {
    webUi()
      .get('/api/v1/workers')
      .reply(200, recordedText('workers-page-1.json'), {
        ...JSON_TYPE,
        link: `<${API}?limit=2&offset=0>; rel="first", <${API}?limit=2&offset=2>; rel="next"`,
      });
    webUi()
      .get('/api/v1/workers')
      .query({limit: '2', offset: '2'})
      .reply(200, recordedText('workers-page-2.json'), {
        ...JSON_TYPE,
        link: `<${API}?limit=2&offset=0>; rel="first", <${API}?limit=2&offset=0>; rel="prev"`,
      });
    const result = expectOk(await ask('worker35'));
    expect(result.workers.map((w) => w.instance)).toEqual([1, 2, 3]);
    expect(result.running).toEqual([
      {instance: 3, jobId: 15235111, url: 'http://openqa.example/tests/15235111', status: 'running', workerId: 2203, currentStep: 'consoletest_setup'},
    ]);
    expect(nock.isDone()).toBe(true);
  });

  it('follows a redirect to https, including the pagination that continues there', async () => {
    webUi().get('/api/v1/workers').reply(301, '', {location: 'https://openqa.example/api/v1/workers'});
    webUi('https://openqa.example')
      .get('/api/v1/workers')
      .reply(200, recordedText('workers-page-1.json'), {...JSON_TYPE, link: '</api/v1/workers?offset=2>; rel="next"'});
    webUi('https://openqa.example').get('/api/v1/workers').query({offset: '2'}).reply(200, recordedText('workers-page-2.json'), JSON_TYPE);
    const result = expectOk(await ask('worker35'));
    expect(result.baseUrl).toBe('http://openqa.example/');
    expect(result.running.map((r) => [r.jobId, r.url])).toEqual([[15235111, 'http://openqa.example/tests/15235111']]);
    expect(nock.isDone()).toBe(true);
  });

  it('uses an injected fetch implementation', async () => {
    const asked: string[] = [];
    const fetchImpl: typeof fetch = async (input) => {
      asked.push(String(input));
      return new Response(recordedText('workers-this-host-idle.json'), {status: 200, headers: JSON_TYPE});
    };
    const result = expectOk(await ask('worker36', {fetchImpl}));
    expect(asked).toEqual([API]);
    expect(result.running.map((r) => r.jobId)).toEqual([15234999]);
  });

  it('rejects a non-positive timeout and an empty host name as programming errors', async () => {
    await expect(ask('worker35', {timeoutMs: 0})).rejects.toThrow(new RangeError('timeoutMs must be positive, got 0'));
    await expect(ask(' ')).rejects.toThrow(new TypeError('hostname must not be empty'));
  });
});

describe('askRunningJobs: failures become one-line reasons', () => {
  const failed = (reason: string) => ({ok: false, baseUrl: 'http://openqa.example/', reason});

  it('HTTP 404 from the proxy', async () => {
    webUi().get('/api/v1/workers').reply(404, recordedText('apache-404.html'), {'content-type': 'text/html; charset=iso-8859-1'});
    expect(await ask('worker35')).toEqual(failed(`${API} answered HTTP 404 Not Found`));
  });

  it('HTTP 500 with openQA error text', async () => {
    webUi().get('/api/v1/workers').reply(500, recordedText('openqa-500.json'), JSON_TYPE);
    expect(await ask('worker35')).toEqual(
      failed(
        `${API} answered HTTP 500 Internal Server Error: DBIx::Class::Storage::DBI::catch {...} (): DBI Connection failed: ` +
          `DBI connect('dbname=openqa','geekotest',...) failed: connection to server on socket "/var/run/…`,
      ),
    );
  });

  it('HTTP 502 from the proxy when the web UI is down', async () => {
    webUi().get('/api/v1/workers').reply(502, recordedText('apache-502-proxy-error.html'), {'content-type': 'text/html; charset=iso-8859-1'});
    expect(await ask('worker35')).toEqual(failed(`${API} answered HTTP 502 Bad Gateway`));
  });

  it('HTTP 400 validation error', async () => {
    webUi().get('/api/v1/workers').reply(400, recordedText('openqa-400-limit-invalid.json'), JSON_TYPE);
    expect(await ask('worker35')).toEqual(failed(`${API} answered HTTP 400 Bad Request: Erroneous parameters (limit invalid)`));
  });

  it('timeout before the headers, well before the server would answer', async () => {
    webUi().get('/api/v1/workers').delay(3000).reply(200, recordedText('workers-this-host-idle.json'), JSON_TYPE);
    const started = Date.now();
    expect(await ask('worker35', {timeoutMs: 150})).toEqual(failed(`no answer from ${API} within 0.15 s`));
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('timeout while the body is still coming', async () => {
    webUi().get('/api/v1/workers').delayBody(3000).reply(200, recordedText('workers-this-host-idle.json'), JSON_TYPE);
    expect(await ask('worker35', {timeoutMs: 100})).toEqual(failed(`no answer from ${API} within 0.1 s`));
  });

  it('the timeout covers all pages together', async () => {
    webUi()
      .get('/api/v1/workers')
      .delay(120)
      .reply(200, recordedText('workers-page-1.json'), {...JSON_TYPE, link: `<${API}?offset=2>; rel="next"`});
    webUi().get('/api/v1/workers').query({offset: '2'}).delay(120).reply(200, recordedText('workers-page-2.json'), JSON_TYPE);
    expect(await ask('worker35', {timeoutMs: 200})).toEqual(failed(`no answer from ${API}?offset=2 within 0.2 s`));
  });

  it('invalid JSON: an HTML login page answered with 200', async () => {
    const body = recordedText('sso-login-page.html');
    webUi().get('/api/v1/workers').reply(200, body, {'content-type': 'text/html; charset=utf-8'});
    expect(await ask('worker35')).toEqual(failed(`${API} answered invalid JSON (text/html; charset=utf-8): ${jsonParseMessage(body)}`));
  });

  it('invalid JSON: a truncated answer without content type', async () => {
    const body = recordedText('workers-several-hosts.json').slice(0, 300);
    webUi().get('/api/v1/workers').reply(200, body);
    expect(await ask('worker35')).toEqual(failed(`${API} answered invalid JSON (no content type): ${jsonParseMessage(body)}`));
  });

  it('an empty 200 answer', async () => {
    webUi().get('/api/v1/workers').reply(200, '', JSON_TYPE);
    expect(await ask('worker35')).toEqual(failed(`${API} answered HTTP 200 with an empty body`));
  });

  it('JSON of the wrong shape', async () => {
    webUi().get('/api/v1/workers').reply(200, {jobs: []}, JSON_TYPE);
    expect(await ask('worker35')).toEqual(failed(`${API} answered JSON of an unexpected shape: "workers" is missing, expected a list (top-level keys: "jobs")`));
  });

  it('JSON with a malformed entry', async () => {
    webUi()
      .get('/api/v1/workers')
      .reply(200, {workers: [{id: 1, host: 'worker35', instance: 1, status: 'idle'}, {id: 2, host: 'worker35', instance: 'two', status: 'idle'}]}, JSON_TYPE);
    expect(await ask('worker35')).toEqual(failed(`${API} answered JSON of an unexpected shape: workers[1].instance is "two", expected an integer`));
  });

  it('TLS failure: expired certificate (error as nock delivers it)', async () => {
    webUi('https://openqa.example').get('/api/v1/workers').replyWithError({code: 'CERT_HAS_EXPIRED', message: 'certificate has expired'});
    expect(await ask('worker35', {baseUrl: new URL('https://openqa.example')})).toEqual({
      ok: false,
      baseUrl: 'https://openqa.example/',
      reason: 'TLS failure for https://openqa.example/api/v1/workers: certificate has expired (CERT_HAS_EXPIRED)',
    });
  });

  it('TLS failure: wrong host name (error wrapped the way undici does)', async () => {
    const cause = Object.assign(
      new Error("Hostname/IP does not match certificate's altnames: Host: openqa.example. is not in the cert's altnames: DNS:openqa.suse.de"),
      {code: 'ERR_TLS_CERT_ALTNAME_INVALID'},
    );
    webUi('https://openqa.example').get('/api/v1/workers').replyWithError(new TypeError('fetch failed', {cause}));
    expect(await ask('worker35', {baseUrl: new URL('https://openqa.example')})).toEqual({
      ok: false,
      baseUrl: 'https://openqa.example/',
      reason:
        "TLS failure for https://openqa.example/api/v1/workers: Hostname/IP does not match certificate's altnames: " +
        "Host: openqa.example. is not in the cert's altnames: DNS:openqa.suse.de (ERR_TLS_CERT_ALTNAME_INVALID)",
    });
  });

  it('DNS failure', async () => {
    webUi()
      .get('/api/v1/workers')
      .replyWithError({code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname: 'openqa.example', message: 'getaddrinfo ENOTFOUND openqa.example'});
    expect(await ask('worker35')).toEqual(failed(`cannot resolve host name openqa.example (ENOTFOUND) for ${API}`));
  });

  it('connection refused on IPv6, and from an AggregateError of several addresses', async () => {
    webUi().get('/api/v1/workers').replyWithError({code: 'ECONNREFUSED', address: '::1', port: 80, message: 'connect ECONNREFUSED ::1:80'});
    expect(await ask('worker35')).toEqual(failed(`connection refused by [::1]:80 for ${API}`));

    const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}:80`), {code: 'ECONNREFUSED', address, port: 80});
    const cause = new AggregateError([refused('127.0.0.1'), refused('::1')]);
    webUi().get('/api/v1/workers').replyWithError(new TypeError('fetch failed', {cause}));
    expect(await ask('worker35')).toEqual(failed(`connection refused by 127.0.0.1:80 for ${API}`));
  });

  it('other network errors and uncoded failures', async () => {
    webUi().get('/api/v1/workers').replyWithError({code: 'ECONNRESET', message: 'read ECONNRESET'});
    expect(await ask('worker35')).toEqual(failed(`network error for ${API}: read ECONNRESET (ECONNRESET)`));
    webUi().get('/api/v1/workers').replyWithError(new TypeError('fetch failed', {cause: new Error('redirect count exceeded')}));
    expect(await ask('worker35')).toEqual(failed(`request to ${API} failed: redirect count exceeded`));
  });

  it('a next-page link to another site or back to a visited page', async () => {
    webUi()
      .get('/api/v1/workers')
      .reply(200, recordedText('workers-page-1.json'), {...JSON_TYPE, link: '<https://evil.example/api/v1/workers?offset=2>; rel="next"'});
    expect(await ask('worker35')).toEqual(
      failed(`${API}: next-page link leaves http://openqa.example (https://evil.example/api/v1/workers?offset=2)`),
    );

    webUi().get('/api/v1/workers').reply(200, recordedText('workers-page-1.json'), {...JSON_TYPE, link: `<${API}?offset=2>; rel="next"`});
    webUi().get('/api/v1/workers').query({offset: '2'}).reply(200, recordedText('workers-page-2.json'), {...JSON_TYPE, link: `<${API}>; rel="next"`});
    expect(await ask('worker35')).toEqual(failed(`${API}: pagination links loop back to ${API}`));
  });
});

describe('askRunningJobs against real local servers (no interception)', () => {
  const servers: Server[] = [];
  let tmp: string | undefined;

  beforeEach(() => {
    nock.enableNetConnect('127.0.0.1');
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    if (tmp) rmSync(tmp, {recursive: true, force: true});
    tmp = undefined;
  });

  async function listen(server: Server): Promise<number> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('reads a paginated answer over real HTTP, anonymously', async () => {
    const seen: Array<{url: string; auth: string | undefined; accept: string | undefined}> = [];
    const port = await listen(
      createHttpServer((req, res) => {
        seen.push({url: req.url ?? '', auth: req.headers.authorization, accept: req.headers.accept});
        const second = req.url === '/api/v1/workers?offset=2';
        res.setHeader('content-type', 'application/json;charset=UTF-8');
        if (!second) res.setHeader('link', `</api/v1/workers?offset=2>; rel="next"`);
        res.end(recordedText(second ? 'workers-page-2.json' : 'workers-page-1.json'));
      }),
    );
    const result = expectOk(await ask('worker35', {baseUrl: new URL(`http://127.0.0.1:${port}`)}));
    expect(seen).toEqual([
      {url: '/api/v1/workers', auth: undefined, accept: 'application/json'},
      {url: '/api/v1/workers?offset=2', auth: undefined, accept: 'application/json'},
    ]);
    expect(result.running.map((r) => r.url)).toEqual([`http://127.0.0.1:${port}/tests/15235111`]);
  });

  it('connection refused on a closed port', async () => {
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    expect(await ask('worker35', {baseUrl: new URL(`http://127.0.0.1:${port}`)})).toEqual({
      ok: false,
      baseUrl: `http://127.0.0.1:${port}/`,
      reason: `connection refused by 127.0.0.1:${port} for http://127.0.0.1:${port}/api/v1/workers`,
    });
  });

  const hasOpenssl = spawnSync('openssl', ['version'], {stdio: 'ignore'}).status === 0;

  it.skipIf(!hasOpenssl)('TLS failure against a self-signed certificate', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tapdoctor-openqa-tls-'));
    const key = join(tmp, 'key.pem');
    const cert = join(tmp, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], {
      stdio: 'ignore',
    });
    const port = await listen(createHttpsServer({key: readFileSync(key), cert: readFileSync(cert)}, (_req, res) => res.end('{"workers":[]}')));
    expect(await ask('worker35', {baseUrl: new URL(`https://127.0.0.1:${port}`)})).toEqual({
      ok: false,
      baseUrl: `https://127.0.0.1:${port}/`,
      reason: `TLS failure for https://127.0.0.1:${port}/api/v1/workers: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`,
    });
  });
});

describe('nextLink', () => {
  const page = new URL(`${API}?limit=2&offset=2`);
  it.each<[string | null, string | null]>([
    [null, null],
    ['', null],
    [`<${API}?offset=0>; rel="first"`, null],
    [`<${API}?offset=0>; rel="first", <${API}?offset=4>; rel="next", <${API}?offset=0>; rel="prev"`, `${API}?offset=4`],
    ['</api/v1/workers?offset=4>;rel=next', `${API}?offset=4`],
    ['<?offset=4>; title="a, b"; REL="Next Last"', `${API}?offset=4`],
  ])('%s → %s', (header, expected) => {
    const got = nextLink(header, page);
    expect(got.error).toBeUndefined();
    expect(got.next?.href ?? null).toBe(expected);
  });

  it('reports unusable headers', () => {
    expect(nextLink('<http://openqa.example/x; rel="next"', page)).toEqual({next: null, error: 'unreadable Link header: <http://openqa.example/x; rel="next"'});
    expect(nextLink('<http://[bad>; rel="next"', page)).toEqual({next: null, error: 'unreadable next-page link <http://[bad>'});
  });
});

/** What the running V8 says about this text, so the expectation holds on any Node version. */
function jsonParseMessage(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('text parsed');
}
