// A strict checker for the Prometheus text exposition format (version 0.0.4) as node_exporter's
// textfile collector reads it: returns the problems found, [] when the text is valid. Stricter
// than Prometheus where that catches renderer mistakes (every family needs HELP and TYPE before
// its samples, families contiguous, no timestamps, no duplicate series).

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Parsed {
  problems: string[];
  samples: Sample[];
  types: Record<string, string>;
  help: Record<string, string>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?Inf$|^NaN$/;

export function parseExposition(text: string): Parsed {
  const problems: string[] = [];
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  const help: Record<string, string> = {};
  const finished = new Set<string>();
  const seriesSeen = new Set<string>();
  let current: string | undefined;
  if (!text.endsWith('\n')) problems.push('output does not end with a newline');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const enter = (family: string, n: number) => {
    if (family === current) return;
    if (current) finished.add(current);
    if (finished.has(family)) problems.push(`line ${n}: family ${family} is not contiguous`);
    current = family;
  };
  for (const [i, line] of lines.entries()) {
    const n = i + 1;
    if (line === '') {
      problems.push(`line ${n}: empty line`);
      continue;
    }
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!m) {
        problems.push(`line ${n}: comment is neither HELP nor TYPE: ${line}`);
        continue;
      }
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) problems.push(`line ${n}: bad metric name ${name}`);
      enter(name, n);
      if (kind === 'HELP') {
        if (name in help) problems.push(`line ${n}: second HELP for ${name}`);
        if (!validEscapes(rest, false)) problems.push(`line ${n}: bad escape in HELP`);
        help[name] = rest;
      } else {
        if (name in types) problems.push(`line ${n}: second TYPE for ${name}`);
        if (!TYPES.has(rest)) problems.push(`line ${n}: unknown type ${rest}`);
        if (samples.some((s) => s.name === name)) problems.push(`line ${n}: TYPE after samples of ${name}`);
        types[name] = rest;
      }
      continue;
    }
    const s = parseSample(line);
    if (typeof s === 'string') {
      problems.push(`line ${n}: ${s}: ${line}`);
      continue;
    }
    enter(s.name, n);
    if (!(s.name in types)) problems.push(`line ${n}: sample of ${s.name} without TYPE`);
    if (!(s.name in help)) problems.push(`line ${n}: sample of ${s.name} without HELP`);
    const key = `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
    if (seriesSeen.has(key)) problems.push(`line ${n}: duplicate series ${key}`);
    seriesSeen.add(key);
    samples.push(s);
  }
  return {problems, samples, types, help};
}

function validEscapes(s: string, quotes: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\n') return false;
    if (s[i] !== '\\') continue;
    const next = s[i + 1];
    if (next === '\\' || next === 'n' || (quotes && next === '"')) i++;
    else return false;
  }
  return true;
}

/** name{l="v",...} value — no timestamp allowed (the textfile collector rejects them). */
function parseSample(line: string): Sample | string {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
  const name = line.slice(0, i);
  if (!METRIC_NAME.test(name)) return 'bad metric name';
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      if (eq < 0) return 'label without =';
      const lname = line.slice(i, eq);
      if (!LABEL_NAME.test(lname) || lname.startsWith('__')) return `bad label name ${lname}`;
      if (lname in labels) return `duplicate label ${lname}`;
      if (line[eq + 1] !== '"') return 'label value not quoted';
      let j = eq + 2;
      let value = '';
      for (;;) {
        if (j >= line.length) return 'unterminated label value';
        const c = line[j]!;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[j + 1];
          if (e === '\\') value += '\\';
          else if (e === '"') value += '"';
          else if (e === 'n') value += '\n';
          else return `bad escape \\${e ?? ''}`;
          j += 2;
          continue;
        }
        value += c;
        j++;
      }
      labels[lname] = value;
      i = j + 1;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') return 'expected , or }';
    }
    i++;
  }
  if (line[i] !== ' ') return 'expected one space before the value';
  const rest = line.slice(i + 1);
  if (rest.includes(' ')) return 'trailing fields (timestamps are not allowed)';
  if (!FLOAT.test(rest)) return `bad value ${rest}`;
  return {name, labels, value: Number(rest.replace(/Inf$/, 'Infinity'))};
}
