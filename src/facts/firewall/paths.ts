// Interface conditions along jump paths: a rule in a user chain applies to what the jumps leading to
// it admit. Both the iptables and the nft adapter compute reachability and effective interfaces here.
import {ifaceHit, type IfMatch} from './model.js';

// --- combining interface conditions along jump paths -------------------------------------------

function sameMatch(a: IfMatch, b: IfMatch): boolean {
  return a.name === b.name && a.negated === b.negated && a.wildcard === b.wildcard;
}

/** Positive entries admitted by both lists (the more specific of each overlapping pair). */
function intersectPositives(a: IfMatch[], b: IfMatch[]): IfMatch[] {
  const out: IfMatch[] = [];
  const push = (m: IfMatch) => {
    if (!out.some((o) => sameMatch(o, m))) out.push(m);
  };
  for (const x of a) {
    for (const y of b) {
      if (!x.wildcard && !y.wildcard) {
        if (x.name === y.name) push(x);
      } else if (x.wildcard && !y.wildcard) {
        if (ifaceHit(x, y.name)) push(y);
      } else if (!x.wildcard && y.wildcard) {
        if (ifaceHit(y, x.name)) push(x);
      } else {
        const px = x.name.slice(0, -1);
        const py = y.name.slice(0, -1);
        if (px.startsWith(py)) push(x);
        else if (py.startsWith(px)) push(y);
      }
    }
  }
  return out;
}

/** AND of several rules' lists; null when no interface can satisfy all of them. */
export function andMatches(lists: IfMatch[][]): IfMatch[] | null {
  let positives: IfMatch[] | undefined;
  const negatives: IfMatch[] = [];
  for (const list of lists) {
    const pos = list.filter((m) => !m.negated);
    if (pos.length > 0) positives = positives ? intersectPositives(positives, pos) : pos;
    for (const m of list) if (m.negated && !negatives.some((n) => sameMatch(n, m))) negatives.push(m);
  }
  if (positives && positives.length === 0) return null;
  return [...(positives ?? []), ...negatives];
}

/** OR of alternative paths: union of positives (any path without positives admits all), common negatives. */
function orMatches(paths: IfMatch[][]): IfMatch[] | undefined {
  if (paths.length === 0) return undefined;
  const negatives = paths[0]!.filter((m) => m.negated && paths.every((p) => p.some((x) => sameMatch(x, m))));
  const anyOpen = paths.some((p) => !p.some((m) => !m.negated));
  const positives: IfMatch[] = [];
  if (!anyOpen) for (const p of paths) for (const m of p) if (!m.negated && !positives.some((x) => sameMatch(x, m))) positives.push(m);
  const merged = [...positives, ...negatives];
  return merged.length > 0 ? merged : undefined;
}

/** A jump between two chains of one table, with the interface conditions of the jumping rule. */
export interface JumpEdge {
  from: string;
  in: IfMatch[][];
  out: IfMatch[][];
}

interface PathCtx {
  base: string;
  in: IfMatch[][];
  out: IfMatch[][];
  via: string[];
}

const MAX_PATHS = 64;

/** Every path from a base chain to `chain` (backwards over jumps, no cycles, at most MAX_PATHS). */
function pathsInto(chain: string, isBase: (c: string) => boolean, incoming: Map<string, JumpEdge[]>): PathCtx[] {
  const out: PathCtx[] = [];
  const walk = (c: string, ctxIn: IfMatch[][], ctxOut: IfMatch[][], via: string[]) => {
    if (out.length >= MAX_PATHS) return;
    if (isBase(c)) {
      out.push({base: c, in: ctxIn, out: ctxOut, via});
      return;
    }
    for (const e of incoming.get(c) ?? []) {
      // Stop at the cap here, before copying the path for a walk that would return at once (a
      // chain may have hundreds of jumps into it).
      if (out.length >= MAX_PATHS) return;
      if (e.from === chain || via.includes(e.from)) continue;
      walk(e.from, [...ctxIn, ...e.in], [...ctxOut, ...e.out], [e.from, ...via]);
    }
  };
  walk(chain, [], [], []);
  return out;
}

export interface Reach {
  paths: PathCtx[];
  in?: IfMatch[];
  out?: IfMatch[];
  /** Some paths exist but none admits any interface. */
  impossible: boolean;
}

/**
 * Reachability of a rule and its effective interface conditions (its own plus its paths'), for the
 * rules of one ruleset: the paths into a chain are walked once, however many rules it holds. Answers
 * are not kept: a caller keeps them by whatever key suits its rules (keyedReacher, iptReacher).
 */
export function reacher(isBase: (c: string) => boolean, incoming: Map<string, JumpEdge[]>): (chain: string, own: {in: IfMatch[][]; out: IfMatch[][]}) => Reach {
  const pathsByChain = new Map<string, PathCtx[]>();
  return (chain, own) => {
    let paths = pathsByChain.get(chain);
    if (!paths) pathsByChain.set(chain, (paths = pathsInto(chain, isBase, incoming)));
    return reachWith(paths, own);
  };
}

/**
 * reacher, with each answer kept by chain and own matches: rules of one chain mostly share their own
 * matches (none, or one of a few interfaces), so the answer is worked out once (callers only read it).
 */
export function keyedReacher(isBase: (c: string) => boolean, incoming: Map<string, JumpEdge[]>): (chain: string, own: {in: IfMatch[][]; out: IfMatch[][]}) => Reach {
  const reach = reacher(isBase, incoming);
  const known = new Map<string, Reach>();
  return (chain, own) => {
    const key = `${chain}\n${matchesKey(own.in)}\n${matchesKey(own.out)}`;
    let r = known.get(key);
    if (!r) known.set(key, (r = reach(chain, own)));
    return r;
  };
}

/** Match lists as a key: each match its flags and its name with its length, so that no name (`!eth0`, `a,b`) reads as flags or separators. */
function matchesKey(lists: IfMatch[][]): string {
  return lists.map((l) => l.map((m) => `${m.negated ? 'n' : 'p'}${m.wildcard ? 'w' : 'e'}${m.name.length}:${m.name}`).join(',')).join(';');
}

function reachWith(paths: PathCtx[], own: {in: IfMatch[][]; out: IfMatch[][]}): Reach {
  const ins: IfMatch[][] = [];
  const outs: IfMatch[][] = [];
  for (const p of paths) {
    const i = andMatches([...p.in, ...own.in]);
    const o = andMatches([...p.out, ...own.out]);
    if (i === null || o === null) continue;
    ins.push(i);
    outs.push(o);
  }
  return {paths, in: orMatches(ins), out: orMatches(outs), impossible: paths.length > 0 && ins.length === 0};
}

export function toCounters(c: {packets: bigint | number; bytes: bigint | number} | null | undefined): {packets: number; bytes: number} | null {
  return c ? {packets: Number(c.packets), bytes: Number(c.bytes)} : null;
}
