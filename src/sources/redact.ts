// Secret redaction for copied host files. The VALUE of a secret-bearing key is replaced by a fixed
// marker while the key, the quoting and the line structure stay, so the parsers downstream still
// read the file and a reader of the snapshot sees that something was there.
//
// Every rule is a single left-to-right scan (no backtracking regex on the input), so a 10 MB line
// or random bytes cost linear time and never throw.

import type {Redaction} from './catalogue.js';

export const REDACTION_MARKER = '<redacted by tapdoctor>';
/** The marker as it must appear inside whitespace-separated fields (fstab, a mount command line). */
export const REDACTION_MARKER_FSTAB = '<redacted\\040by\\040tapdoctor>';

function isMarker(value: string): boolean {
  return value === REDACTION_MARKER || value === REDACTION_MARKER_FSTAB;
}

export interface RedactionResult {
  text: string;
  /** What was replaced, as `KEY@line N` (1-based), in order of appearance, without duplicates. */
  redacted: string[];
}

export function redact(text: string, rule: Redaction): RedactionResult {
  switch (rule) {
    case 'none':
      return {text, redacted: []};
    case 'keyvalue':
      if (looksLikeJson(text)) return redactJson(text);
      return mayNameSecret(text) ? redactLines(text, {}) : {text, redacted: []};
    case 'nm-keyfile':
      return mayNameSecret(text) ? redactLines(text, {secretGroups: true}) : {text, redacted: []};
    case 'fstab':
      return redactLines(text, {mountOptions: true});
  }
}

// --- which keys hold secrets --------------------------------------------------------------

// Anywhere in the key: `_SECRET_FOO`, `ROOT_PASSWORD`, `GITHUB_TOKEN`, `apiKey`, `SCC_REGCODE`.
const SECRET_PARTS = ['secret', 'password', 'passwd', 'passphrase', 'token', 'apikey', 'api_key', 'credential', 'private_key', 'privatekey', 'regcode'];
// Only as the key's last word: `KEY`, `SSH_KEY`, `wep-key0`, `DB_PASS`, `WPA_PSK` - but not
// `MONKEY`, `BYPASS` or `key-mgmt`.
const SECRET_LAST_WORDS = new Set(['key', 'pass', 'pwd', 'psk', 'cred', 'creds', 'pin', 'puk']);
/** Every word judgeKey looks for ('secret' also names NM's secret groups). */
const SECRET_WORDS = [...SECRET_PARTS, ...SECRET_LAST_WORDS];

/** Whether a config key (ini, sysconfig, NM keyfile, JSON) names a secret. Case-insensitive. */
export function isSecretKey(key: string): boolean {
  // Keys repeat across files (a 300-tap host has 300 ifcfg-tapN files with the same keys): answer
  // each once. Bounded, so a hostile file with a million keys costs no memory.
  let known = secretKeyAnswers.get(key);
  if (known === undefined) {
    known = judgeKey(key);
    if (secretKeyAnswers.size < 4096) secretKeyAnswers.set(key, known);
  }
  return known;
}
const secretKeyAnswers = new Map<string, boolean>();

/**
 * Whether any key of a line-based file could be a secret: isSecretKey needs one of the secret
 * words inside the key (ASCII: isKeyChar, isEnvName), and a `*-secrets` group has "secret" in its
 * name, so a text without any of them, in any case, has nothing to redact (a 300-tap host's
 * ifcfg-tapN files are skipped in one pass each instead of parsed line by line). Not for JSON,
 * whose keys may spell a word with escapes.
 */
function mayNameSecret(text: string): boolean {
  return ANY_SECRET_WORD.test(text);
}

/**
 * One case-insensitive pass for all of SECRET_WORDS (plain words: nothing to escape). `u` folds
 * case as toLowerCase does for these letters (the Kelvin sign is a k).
 */
const ANY_SECRET_WORD = new RegExp(SECRET_WORDS.join('|'), 'iu');

function judgeKey(key: string): boolean {
  // `WIRELESS_KEY_0`, `KEY1`, `wep-key3`: the number only tells which of several secrets it is.
  const base = stripIndexSuffix(key);
  const words = splitWords(base);
  const last = words[words.length - 1] ?? '';
  // NetworkManager `password-flags=1`, `psk-flags=0` say where a secret is kept, not the secret.
  if (last === 'flags') return false;
  const lower = base.toLowerCase();
  if (SECRET_PARTS.some((part) => lower.includes(part))) return true;
  return SECRET_LAST_WORDS.has(last);
}

function stripIndexSuffix(key: string): string {
  let end = key.length;
  while (end > 0 && isDigit(key.charCodeAt(end - 1))) end--;
  if (end === key.length || end === 0) return key;
  const sep = key[end - 1];
  if (sep === '_' || sep === '-' || sep === '.') end--;
  return end === 0 ? key : key.slice(0, end);
}

/** Lower-cased words of a key: split at `_ - . space` and at camelCase humps (`authKey`). */
function splitWords(key: string): string[] {
  const words: string[] = [];
  let cur = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (c === '_' || c === '-' || c === '.' || c === ' ') {
      if (cur) words.push(cur);
      cur = '';
      continue;
    }
    const prev = i > 0 ? key.charCodeAt(i - 1) : 0;
    if (isUpper(c.charCodeAt(0)) && (isLower(prev) || isDigit(prev)) && cur) {
      words.push(cur);
      cur = '';
    }
    cur += c.toLowerCase();
  }
  if (cur) words.push(cur);
  return words;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isKeyChar = (c: number) => isDigit(c) || isUpper(c) || isLower(c) || c === 95 /* _ */ || c === 45 /* - */ || c === 46; /* . */

// --- line-based files: ini, sysconfig/shell, systemd units, NM keyfiles, fstab -----------------

class Collector {
  private readonly seen = new Set<string>();
  readonly list: string[] = [];
  add(key: string, line: number): void {
    const item = `${key}@line ${line}`;
    if (this.seen.has(item)) return;
    this.seen.add(item);
    this.list.push(item);
  }
}

/**
 * A secret value that continues on the following lines: a quote left open, a backslash, an ini
 * heredoc. `report` is pending until a non-empty line of it is actually dropped.
 */
type Continuation = ({kind: 'quote'; quote: string} | {kind: 'backslash'} | {kind: 'heredoc'; end: string}) & {report?: () => void};

interface LineOptions {
  /** NetworkManager keyfile: every key of a `[vpn-secrets]` (`*-secrets`) group is secret. */
  secretGroups?: boolean;
  /** fstab and mount units: also redact `password=`-style mount options anywhere on a line. */
  mountOptions?: boolean;
}

function redactLines(text: string, opts: LineOptions): RedactionResult {
  const lines = text.split('\n');
  const found = new Collector();
  let cont: Continuation | undefined;
  let secretSection = false;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const cr = raw.endsWith('\r') ? '\r' : '';
    const line = cr ? raw.slice(0, -1) : raw;
    if (cont) {
      // The rest of a secret value: drop it, keeping the line so line numbers stay right.
      const r = continueValue(line, cont);
      lines[n] = r.line + cr;
      cont = r.next;
      continue;
    }
    if (opts.secretGroups) {
      const section = sectionName(line);
      if (section !== undefined) {
        // `[vpn-secrets]` (and any `*-secrets` group) holds nothing but secrets.
        secretSection = section === 'vpn-secrets' || section.endsWith('-secrets');
        continue;
      }
    }
    const isSecret = secretSection ? () => true : isSecretKey;
    const kv = redactAssignment(line, isSecret, (key) => found.add(key, n + 1));
    let out = kv.line;
    cont = kv.next;
    if (opts.mountOptions && !kv.next) out = redactMountOptions(out, (key) => found.add(key, n + 1));
    lines[n] = out + cr;
  }
  return {text: lines.join('\n'), redacted: found.list};
}

function sectionName(line: string): string | undefined {
  const t = line.trim();
  if (t.length < 2 || t[0] !== '[' || t[t.length - 1] !== ']') return undefined;
  return t.slice(1, -1).trim().toLowerCase();
}

interface AssignmentResult {
  line: string;
  /** Set when the secret value goes on over the following lines. */
  next?: Continuation;
}

/**
 * `KEY=value`, `KEY = value`, `KEY='value'`, `export KEY="value"`, `KEY += value`, also commented
 * out (`# PASSWORD=old`), and systemd `Environment=A=x "B=y z"`.
 */
function redactAssignment(line: string, secret: (key: string) => boolean, report: (key: string) => void): AssignmentResult {
  let i = skipBlanks(line, 0);
  // A commented-out secret is still a secret.
  while (i < line.length && (line[i] === '#' || line[i] === ';')) i = skipBlanks(line, i + 1);
  for (const word of ['export', 'declare -x', 'readonly', 'local']) {
    if (line.startsWith(word, i) && (line[i + word.length] === ' ' || line[i + word.length] === '\t')) {
      i = skipBlanks(line, i + word.length);
      break;
    }
  }
  const keyStart = i;
  while (i < line.length && isKeyChar(line.charCodeAt(i))) i++;
  if (i === keyStart) return {line};
  const key = line.slice(keyStart, i);
  i = skipBlanks(line, i);
  if (line[i] === '+') i++;
  if (line[i] !== '=') return {line};
  const valueStart = skipBlanks(line, i + 1);
  if (key === 'Environment') return redactEnvironment(line, valueStart, secret, report);
  if (!secret(key)) return {line};
  return redactValue(line, valueStart, key, report);
}

function redactValue(line: string, start: number, key: string, report: (key: string) => void): AssignmentResult {
  const first = line[start];
  if (first === '"' || first === "'") {
    const close = findClosingQuote(line, start + 1, first);
    const inner = line.slice(start + 1, close < 0 ? line.length : close);
    const secretHere = inner !== '' && !isMarker(inner);
    if (secretHere) report(key);
    if (close < 0) {
      // The quoted value goes on over the next lines (maybe starting on the next one).
      const next: Continuation = {kind: 'quote', quote: first, report: secretHere ? undefined : () => report(key)};
      return {line: secretHere ? `${line.slice(0, start + 1)}${REDACTION_MARKER}` : line, next};
    }
    if (!secretHere) return {line};
    return {line: `${line.slice(0, start + 1)}${REDACTION_MARKER}${line.slice(close)}`};
  }
  const value = line.slice(start).trimEnd();
  if (value === '' || isMarker(value)) return {line};
  const heredoc = heredocEnd(value);
  if (heredoc !== undefined) {
    // Config::IniFiles `KEY=<<EOT`: the secret is on the lines up to `EOT`.
    return {line, next: {kind: 'heredoc', end: heredoc, report: () => report(key)}};
  }
  report(key);
  const next: Continuation | undefined = value.endsWith('\\') ? {kind: 'backslash'} : undefined;
  return {line: `${line.slice(0, start)}${REDACTION_MARKER}`, next};
}

function continueValue(line: string, cont: Continuation): {line: string; next?: Continuation} {
  const drop = (text: string) => {
    if (text.trim() !== '' && cont.report) {
      cont.report();
      cont.report = undefined;
    }
  };
  switch (cont.kind) {
    case 'quote': {
      const close = findClosingQuote(line, 0, cont.quote);
      drop(close < 0 ? line : line.slice(0, close));
      return close < 0 ? {line: '', next: cont} : {line: line.slice(close)};
    }
    case 'backslash':
      drop(line);
      return {line: '', next: line.trimEnd().endsWith('\\') ? cont : undefined};
    case 'heredoc':
      if (line.trim() === cont.end) return {line};
      drop(line);
      return {line: '', next: cont};
  }
}

/** `<<EOT` or `<<"EOT"`: the terminator word, else undefined. */
function heredocEnd(value: string): string | undefined {
  if (!value.startsWith('<<')) return undefined;
  let word = value.slice(2).trim();
  if (word.length >= 2 && word[0] === '"' && word[word.length - 1] === '"') word = word.slice(1, -1);
  for (let i = 0; i < word.length; i++) if (!isKeyChar(word.charCodeAt(i))) return undefined;
  return word || undefined;
}

/** Index of the closing quote from `from`, honouring backslash escapes inside double quotes; -1 if none. */
function findClosingQuote(line: string, from: number, quote: string): number {
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && quote === '"') {
      i++;
      continue;
    }
    if (c === quote) return i;
  }
  return -1;
}

/** systemd `Environment=NAME=value "NAME2=value two"`: redact the values of secret names. */
function redactEnvironment(line: string, start: number, secret: (key: string) => boolean, report: (key: string) => void): AssignmentResult {
  const out: string[] = [line.slice(0, start)];
  let changed = false;
  let i = start;
  while (i < line.length) {
    const blankEnd = skipBlanks(line, i);
    out.push(line.slice(i, blankEnd));
    i = blankEnd;
    if (i >= line.length) break;
    const quote = line[i] === '"' || line[i] === "'" ? line[i]! : '';
    const bodyStart = quote ? i + 1 : i;
    let end: number;
    if (quote) {
      const close = findClosingQuote(line, bodyStart, quote);
      end = close < 0 ? line.length : close;
    } else {
      end = bodyStart;
      while (end < line.length && line[end] !== ' ' && line[end] !== '\t') end++;
    }
    const assignment = line.slice(bodyStart, end);
    const eq = assignment.indexOf('=');
    const name = eq > 0 && isEnvName(assignment.slice(0, eq)) ? assignment.slice(0, eq) : '';
    const value = eq > 0 ? assignment.slice(eq + 1) : '';
    const tokenEnd = quote && end < line.length ? end + 1 : end;
    if (name && value && !isMarker(value) && secret(name)) {
      // The marker has spaces: an unquoted assignment gets quotes so it stays one assignment.
      const q = quote || '"';
      out.push(`${q}${name}=${REDACTION_MARKER}${q}`);
      report(name);
      changed = true;
    } else {
      out.push(line.slice(i, tokenEnd));
    }
    i = tokenEnd;
  }
  return {line: changed ? out.join('') : line};
}

function isEnvName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!(isUpper(c) || isLower(c) || c === 95 || (i > 0 && isDigit(c)))) return false;
  }
  return name.length > 0;
}

// Mount options that carry a secret. `username=` and `domain=` stay: they say who mounts.
const SECRET_MOUNT_OPTIONS = new Set(['password', 'pass', 'passwd', 'credentials', 'cred', 'creds']);

/**
 * fstab options (`username=u,password=p`), systemd `Options=` lines and `mount -o ...` command
 * lines. In whitespace-separated fields the marker is written with fstab's `\040` for spaces.
 */
function redactMountOptions(line: string, report: (key: string) => void): string {
  const systemdOptions = /^\s*Options\s*=/.test(line);
  const marker = systemdOptions ? REDACTION_MARKER : REDACTION_MARKER_FSTAB;
  const out: string[] = [];
  let copied = 0;
  let i = 0;
  while (i < line.length) {
    const prev = i === 0 ? ' ' : line[i - 1]!;
    if (!isKeyChar(line.charCodeAt(i)) || !isOptionBoundary(prev)) {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < line.length && isKeyChar(line.charCodeAt(i))) i++;
    const name = line.slice(nameStart, i);
    if (line[i] !== '=' || !SECRET_MOUNT_OPTIONS.has(name.toLowerCase())) continue;
    const valueStart = i + 1;
    let end = valueStart;
    // mount.cifs reads `,,` as a literal comma inside a password.
    while (end < line.length) {
      const c = line[end];
      if (c === ',' && line[end + 1] === ',') {
        end += 2;
        continue;
      }
      if (c === ',' || c === ' ' || c === '\t' || c === '"' || c === "'") break;
      end++;
    }
    const alreadyRedacted = line.startsWith(REDACTION_MARKER, valueStart) || line.startsWith(REDACTION_MARKER_FSTAB, valueStart);
    if (end > valueStart && !alreadyRedacted) {
      out.push(line.slice(copied, valueStart), marker);
      copied = end;
      report(name);
    }
    i = end;
  }
  if (copied === 0) return line;
  out.push(line.slice(copied));
  return out.join('');
}

function isOptionBoundary(c: string): boolean {
  return c === ' ' || c === '\t' || c === ',' || c === '=' || c === '"' || c === "'";
}

function skipBlanks(line: string, i: number): number {
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
}

// --- JSON (pool vars.json) -----------------------------------------------------------------

/**
 * vars.json and job.json are objects: text opening with `{` is scanned as JSON even when it is cut
 * short. An opening `[` is also an ini section (`[global]`, `[1-3]`), so it counts as JSON only
 * when the whole text parses.
 */
function looksLikeJson(text: string): boolean {
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
  if (text[i] === '{') return true;
  if (text[i] !== '[') return false;
  try {
    JSON.parse(text.slice(i));
    return true;
  } catch {
    return false;
  }
}

interface JsonFrame {
  array: boolean;
  /** Everything inside is secret (a container under a secret key). */
  secret: boolean;
  /** The last key read in this object, and whether it is secret. */
  key?: string;
  keySecret: boolean;
}

/**
 * A tolerant token scan over JSON: string values (and numbers) under a secret key, or anywhere
 * inside an object/array under one, become the marker string. The text stays byte-for-byte the same
 * elsewhere, so line numbers hold; malformed JSON is scanned the same way and never throws.
 */
function redactJson(text: string): RedactionResult {
  const found = new Collector();
  const out: string[] = [];
  const stack: JsonFrame[] = [];
  let copied = 0;
  let line = 1;
  let i = 0;
  const valueIsSecret = (): {secret: boolean; key?: string} => {
    const top = stack[stack.length - 1];
    if (!top) return {secret: false};
    if (top.array) return {secret: top.secret, key: top.key};
    return {secret: top.secret || top.keySecret, key: top.key};
  };
  const replace = (start: number, end: number, key: string | undefined) => {
    out.push(text.slice(copied, start), JSON.stringify(REDACTION_MARKER));
    copied = end;
    found.add(key ?? '(value)', line);
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top && !top.array && nextNonBlank(text, end) === ':') {
        top.key = decodeJsonString(text.slice(i, end));
        top.keySecret = isSecretKey(top.key);
      } else {
        const s = valueIsSecret();
        const raw = text.slice(i, end);
        if (s.secret && raw !== '""' && raw !== JSON.stringify(REDACTION_MARKER)) replace(i, end, s.key);
      }
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end;
    } else if (c === '{' || c === '[') {
      const s = valueIsSecret();
      stack.push({array: c === '[', secret: s.secret, key: s.secret ? s.key : undefined, keySecret: false});
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top && !top.array) top.keySecret = false;
      i++;
    } else if (c === '-' || isDigit(c.charCodeAt(0))) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text[end]!)) end++;
      if (valueIsSecret().secret) replace(i, end, valueIsSecret().key);
      i = end;
    } else {
      i++;
    }
  }
  if (copied === 0) return {text, redacted: []};
  out.push(text.slice(copied));
  return {text: out.join(''), redacted: found.list};
}

/**
 * Index just past the closing quote of the string starting at `start`. JSON strings never hold a
 * raw newline, so an unterminated string ends before the next newline (or at the text's end).
 */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') return i;
    if (c === '\\' && text[i + 1] !== '\n') i++;
    else if (c === '"') return i + 1;
  }
  return text.length;
}

function nextNonBlank(text: string, from: number): string | undefined {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
  return text[i];
}

function decodeJsonString(raw: string): string {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'string' ? v : raw;
  } catch {
    return raw.slice(1, raw.endsWith('"') && raw.length > 1 ? -1 : undefined);
  }
}

function isNumberChar(c: string): boolean {
  return isDigit(c.charCodeAt(0)) || c === '.' || c === 'e' || c === 'E' || c === '+' || c === '-';
}

// --- credentials inside URLs --------------------------------------------------------------------

/** What replaces the userinfo of a URL: valid userinfo characters, so the URL still parses. */
export const URL_USERINFO_MARKER = 'redacted-by-tapdoctor';

const isSchemeChar = (c: number) => isDigit(c) || isUpper(c) || isLower(c) || c === 43 /* + */ || c === 45 /* - */ || c === 46; /* . */
/** Where a URL's authority ends: a path, query, fragment, whitespace, a double quote or a bracket (a single quote may be in a password, RFC 3986 sub-delims). */
const endsAuthority = (ch: string) => ch === '/' || ch === '?' || ch === '#' || ch === '"' || ch === '<' || ch === '>' || ch === '`' || ch <= ' ' || ch === '\u007f';

/**
 * Replace the userinfo of every `scheme://user:pass@host` in any text (a workers.ini, a command's
 * output, a sosreport file) by URL_USERINFO_MARKER, recording `url-userinfo@line N`. One
 * left-to-right scan: each character is looked at a bounded number of times.
 */
export function redactUrlUserinfo(text: string): RedactionResult {
  const redacted = new Collector();
  let out = '';
  let copiedTo = 0;
  let line = 1;
  let lineCountedTo = 0;
  let from = 0;
  for (;;) {
    const sep = text.indexOf('://', from);
    if (sep < 0) break;
    from = sep + 3;
    // A scheme: at least one letter-led run of scheme characters right before `://`.
    let s = sep;
    while (s > 0 && isSchemeChar(text.charCodeAt(s - 1))) s--;
    if (s === sep || !(isUpper(text.charCodeAt(s)) || isLower(text.charCodeAt(s)))) continue;
    let end = from;
    let at = -1;
    while (end < text.length && !endsAuthority(text[end]!)) {
      if (text[end] === '@') at = end;
      end++;
    }
    if (at <= from || text.slice(from, at) === URL_USERINFO_MARKER) {
      from = end;
      continue;
    }
    for (let i = lineCountedTo; i < from; i++) if (text.charCodeAt(i) === 10) line++;
    lineCountedTo = from;
    redacted.add('url-userinfo', line);
    out += text.slice(copiedTo, from) + URL_USERINFO_MARKER;
    copiedTo = at;
    from = end;
  }
  if (copiedTo === 0) return {text, redacted: []};
  return {text: out + text.slice(copiedTo), redacted: redacted.list};
}

/** `://` as bytes: a string needle is encoded again on every search. */
const URL_MARK = Buffer.from('://');

/**
 * Everything tapdoctor captures goes through here: the catalogue's rule for the source (secret
 * keys) and credentials inside URLs, which may hide in any file or command output. The bytes stay
 * untouched when nothing was found.
 */
export function redactCaptured(data: Buffer, rule: Redaction): {data: Buffer; redacted: string[]} {
  // Most captures (sysfs values, command output) have no rule and no URL: no need to decode them.
  // A `://` in the decoded text is the same three bytes in the UTF-8 (ASCII never occurs inside a
  // multi-byte sequence).
  if (rule === 'none' && data.indexOf(URL_MARK) < 0) return {data, redacted: []};
  const text = data.toString('utf8');
  const byRule = redact(text, rule);
  const inUrls = redactUrlUserinfo(byRule.text);
  const redacted = [...byRule.redacted, ...inUrls.redacted];
  return redacted.length === 0 ? {data, redacted} : {data: Buffer.from(inUrls.text, 'utf8'), redacted};
}
