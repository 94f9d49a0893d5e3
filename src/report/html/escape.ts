// Escaping text for HTML/SVG and device names for ids.

/** HTML/SVG text and attribute values; C0 controls become visible `\xNN` (they are not valid text). */
export function esc(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
      .replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
  );
}

const HTML_ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};

/** A device name as an id fragment: letters, digits, `.` and `-` kept; everything else `_hh`. */
export function idPart(name: string): string {
  return name.replace(/[^A-Za-z0-9.-]/g, (c) => `_${c.codePointAt(0)!.toString(16)}`);
}

export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`;
}
