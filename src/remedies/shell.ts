// Quoting for the commands tapdoctor prints: written once, so every remedy quotes the same way.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * A word for a POSIX shell: as is when it is made of safe characters only, single-quoted when it
 * has no single quote, else double-quoted with \ $ ` " escaped (readable for NAME='value' lines).
 */
export function q(word: string): string {
  if (word !== '' && SAFE.test(word)) return word;
  if (!word.includes("'")) return `'${word}'`;
  return `"${word.replace(/[\\$`"]/g, (c) => `\\${c}`)}"`;
}

/** A file's lines as one `printf '%s\n' 'l1' 'l2'` command (no escape in the lines is interpreted). */
export function printfLines(lines: readonly string[]): string {
  return `printf '%s\\n' ${lines.map(q).join(' ')}`;
}

/** A basic regular expression that matches `text` literally (for sed and grep). */
export function bre(text: string): string {
  return text.replace(/[\\.*[\]^$/|&]/g, (c) => `\\${c}`);
}

/** A host path below `root` ('/' leaves it as it is). */
export function below(root: string, path: string): string {
  if (root === '/' || root === '') return path;
  return `${root.replace(/\/+$/, '')}${path}`;
}

/** Text for the replacement part of a sed `s/…/…/` command. */
export function sedReplacement(text: string): string {
  return text.replace(/[\\&/]/g, (c) => `\\${c}`);
}
