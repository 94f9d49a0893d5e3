// A parser's only way to fail: it names the source, the line and the offending text.

export class ParseError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly text: string,
    readonly detail: string,
  ) {
    super(`${source}:${line}: ${detail}${text ? `: ${clip(text)}` : ''}`);
    this.name = 'ParseError';
  }
}

/**
 * What parse returned, or the ParseError it threw; anything else it throws goes on up. For callers
 * that keep a parse failure as data (a problem to report, an entry to skip) instead of failing.
 */
export function modelOrParseError<T>(parse: () => T): T | ParseError {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
}

/** Keep error messages one readable line even when the offending input is a 10 MB line. */
export function clip(text: string, max = 120): string {
  const oneLine = text.replace(/[\r\n\t]+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** Split text into lines, tolerating CRLF and a missing final newline. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}
