// An unrendered template (salt and ansible keep config as Jinja: `{{ bridge }}`, `{% if %}`) is not
// the host's configuration: its placeholders would be read as interface names or addresses. Such
// a file is refused with one reason instead of parsed.

export const TEMPLATE_REASON = 'template, not a rendered file';

/**
 * Whether text holds a Jinja expression `{{ … }}`, statement `{% … %}` or comment `{# … #}` on
 * one line. One pass with indexOf; `${{`, `{{}}` with nothing inside and JSON are not templates.
 */
export function looksLikeTemplate(text: string): boolean {
  for (const [open, close] of [['{{', '}}'], ['{%', '%}'], ['{#', '#}']] as const) {
    // The next close and newline are remembered, so each is searched for once per pass: linear.
    let close1 = -1;
    let nl = -1;
    for (let i = text.indexOf(open); i >= 0; i = text.indexOf(open, i + 2)) {
      if (open === '{{' && text[i - 1] === '$') continue;
      if (close1 < i + 2) close1 = text.indexOf(close, i + 2);
      if (close1 < 0) break;
      if (nl < i) nl = text.indexOf('\n', i);
      if (nl >= 0 && close1 > nl) continue;
      if (/[A-Za-z_]/.test(text.slice(i + 2, close1))) return true;
    }
  }
  return false;
}
