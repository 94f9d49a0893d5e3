// The repository's layout as a newcomer meets it: no import circles between modules, and the
// README's map of rooms names every folder under src/.
import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {describe, expect, it} from 'vitest';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(repo, 'src');

function walk(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Static imports and re-exports between modules of src/ (dynamic import() is how heavy modules load lazily: not a circle). */
function importGraph(runtimeOnly = false): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of walk(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const text = readFileSync(file, 'utf8');
    const deps = [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s'(\.[^']+)'/gms)].filter((m) => !(runtimeOnly && /^(?:import|export) type\s/.test(m[0]))).map((m) => resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts'));
    graph.set(file, deps);
  }
  return graph;
}

/** One circle per strongly connected component with more than one module (or a self-import). */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(relative(repo, w));
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('layout', () => {
  it('finds a circle when there is one (the detector itself)', () => {
    const g = new Map([
      ['/a.ts', ['/b.ts']],
      ['/b.ts', ['/c.ts']],
      ['/c.ts', ['/a.ts']],
      ['/d.ts', ['/a.ts']],
    ]);
    const found = circles(g);
    expect(found).toHaveLength(1);
    expect(found[0]!.map((p) => p.slice(p.lastIndexOf('/') + 1))).toEqual(['a.ts', 'b.ts', 'c.ts']);
  });

  it('src/ has no import circles', () => {
    expect(circles(importGraph())).toEqual([]);
  });

  it("the README's map of rooms lists every folder of src/ and every top-level folder", () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const map = readme.slice(readme.indexOf('### Map of rooms'));
    const rows = new Set([...map.matchAll(/^\| `([^`]+\/)` \|/gm)].map((m) => m[1]));
    expect(rows.size).toBeGreaterThan(10);
    const dirs = (dir: string): string[] =>
      readdirSync(dir, {withFileTypes: true})
        .filter((e) => e.isDirectory())
        .flatMap((e) => [join(dir, e.name), ...dirs(join(dir, e.name))]);
    // Generated, gitignored output (browser screenshots, bundles) is no room.
    const skipTop = new Set(['node_modules', 'dist', '.git', '.github', 'test-artifacts', 'bundle', 'coverage']);
    const top = readdirSync(repo, {withFileTypes: true}).filter((e) => e.isDirectory() && !skipTop.has(e.name) && (e.name === '.ci' || !e.name.startsWith('.')));
    const expected = [...top.map((e) => `${e.name}/`), ...dirs(src).map((d) => `${relative(repo, d)}/`)];
    const missing = expected.filter((d) => !rows.has(d));
    expect(missing, 'add a row for each to the table under "### Map of rooms" in README.md').toEqual([]);
  });

  it('the check index (checks/meta.ts) reaches only meta files: `checks list` and `explain` load no check code', () => {
    const graph = importGraph(true); // type imports are erased: they load nothing
    const reached = new Set<string>();
    const visit = (f: string) => {
      if (reached.has(f) || !graph.has(f)) return;
      reached.add(f);
      for (const d of graph.get(f)!) visit(d);
    };
    visit(join(src, 'checks/meta.ts'));
    const names = [...reached].map((f) => relative(src, f)).sort();
    expect(names.filter((n) => n.startsWith('checks/TD')).length).toBe(names.filter((n) => /^checks\/TD\d{3}-[a-z0-9-]+\.meta\.ts$/.test(n)).length);
    expect(names.filter((n) => !/^checks\/(TD\d{3}-[a-z0-9-]+\.meta|meta|check-meta)\.ts$/.test(n))).toEqual([]);
  });
});

describe('references', () => {
  // Design notes outside the repository are no source for a reader of the code or a user of `explain`:
  // cite the project's own docs pages or the upstream source (project, file, commit, ticket).
  it('src/, docs/ and the README cite no file the repository does not have (DOMAIN.md, FLEET.md)', () => {
    const texts = [...walk(src), ...walk(join(repo, 'docs')), join(repo, 'README.md')].filter((f) => /\.(ts|md|json|txt|sh)$/.test(f));
    expect(texts.length).toBeGreaterThan(50);
    const hits = texts.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\b(DOMAIN|FLEET)\.md\b|DOMAIN §/.test(line) ? [`${relative(repo, f)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });
});
