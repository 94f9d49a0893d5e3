// Where the worker's web UIs are: workers.ini `HOST` → base URLs, exactly as the openQA worker
// derives them (openQA lib/OpenQA/Worker/Settings.pm and lib/OpenQA/Worker/WebUIConnection.pm):
//
// - `HOST` absent or empty → `localhost` (Settings.pm: `$cli_options->{host} || $global_settings{HOST}
//   || 'localhost'`; Perl's `||` also treats the string "0" as false, so `HOST = 0` means localhost).
// - Several web UIs are separated by whitespace (`split(' ', $webui_host)`).
// - An entry without any `/` is a `host[:port]` and is spoken to over plain **http**
//   (`Mojo::URL->new->scheme('http')->host_port($webui_host)`); there is no https default, even for
//   public hosts: a web UI that wants https redirects, and fetch follows redirects.
// - An entry containing `/` is parsed as a URL (`http://172.17.0.1`, `https://openqa.suse.de`).
//   The worker then sets the path to `/api/v1/` (absolute), so any path, query or user info in
//   the entry is ignored: the base is the origin alone.
//
// The `--openqa-url`-style override replaces HOST entirely, like the worker's `--host` option.
export class OpenqaHostError extends Error {
  constructor(
    readonly entry: string,
    detail: string,
  ) {
    super(`web UI host "${entry}": ${detail}`);
    this.name = 'OpenqaHostError';
  }
}

/**
 * The base URLs (origin + `/`) of the web UIs a worker with this `HOST` setting talks to, in
 * setting order, without duplicates. Throws OpenqaHostError for an entry the worker itself could
 * not use (unparseable, or a scheme other than http/https).
 */
export function resolveOpenqaUrl(hostSetting: string | undefined, override?: string): URL[] {
  const chosen = isPerlTrue(override) ? override! : isPerlTrue(hostSetting) ? hostSetting! : 'localhost';
  const entries = chosen.split(/\s+/).filter((e) => e !== '');
  // A value of only whitespace is "true" in Perl but splits into nothing: the worker then has no
  // web UI at all ("no web UI hosts configured"); treat it like the default instead of returning [].
  if (entries.length === 0) entries.push('localhost');

  const seen = new Set<string>();
  const out: URL[] = [];
  for (const entry of entries) {
    const url = entryToBaseUrl(entry);
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    out.push(url);
  }
  return out;
}

function entryToBaseUrl(entry: string): URL {
  const text = entry.includes('/') ? entry : `http://${entry}`;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new OpenqaHostError(entry, entry.includes('/') ? 'not a URL (expected e.g. https://openqa.example.org)' : 'not a valid host[:port]');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new OpenqaHostError(entry, `scheme ${parsed.protocol.replace(/:$/, '')} is not http or https`);
  }
  if (parsed.hostname === '') throw new OpenqaHostError(entry, 'no host name');
  return new URL(`${parsed.origin}/`);
}

/** Perl truthiness of a config string: undefined, '' and '0' are false. */
function isPerlTrue(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0';
}
