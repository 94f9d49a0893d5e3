// The check pages in docs/checks/ are both the `explain` text and the source of each finding's
// short explanation (the first paragraph under "## Why it breaks tests"), so code and pages agree.
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

/** The one-file bundle carries every page (scripts/bundle.mjs defines this); dist/ reads docs/. */
declare const __TAPDOCTOR_PAGES__: Record<string, string> | undefined;

export function docsPath(id: string): string {
  return fileURLToPath(new URL(`../../docs/checks/${id}.md`, import.meta.url));
}

export function readCheckPage(id: string): string | undefined {
  if (typeof __TAPDOCTOR_PAGES__ !== 'undefined') return __TAPDOCTOR_PAGES__[id];
  try {
    return readFileSync(docsPath(id), 'utf8');
  } catch {
    return undefined;
  }
}

const cache = new Map<string, string>();

/** The first paragraph of the page's "Why it breaks tests" section. */
export function shortExplanation(id: string): string {
  let text = cache.get(id);
  if (text === undefined) {
    // The page is Markdown; the finding is plain text (terminal, JUnit, HTML): code spans become quotes.
    text = extractSection(readCheckPage(id) ?? '', 'Why it breaks tests')?.split(/\n\s*\n/)[0]?.replace(/\s*\n\s*/g, ' ').replace(/`([^`\n]+)`/g, '"$1"').trim() ?? '';
    cache.set(id, text);
  }
  return text;
}

export function extractSection(page: string, heading: string): string | undefined {
  const lines = page.split('\n');
  const start = lines.findIndex((l) => l.replace(/^#+\s*/, '').trim().toLowerCase() === heading.toLowerCase() && l.startsWith('## '));
  if (start < 0) return undefined;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('## '));
  return (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
}
