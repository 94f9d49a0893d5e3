// tapdoctor(1) in roff, from the same help model as --help and the completions.
import {commandHelp} from './help.js';
import {BIN, loadAll, shown, type CommandTable} from './main.js';

/** Text safe for roff: backslashes, hyphens in options, and lines starting with a control character. */
function esc(s: string): string {
  return s.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1');
}

function paragraphs(text: string): string[] {
  return text.split(/\n\s*\n/).flatMap((p) => ['.PP', esc(p.replace(/\s*\n\s*/g, ' ').trim())]);
}

export async function renderManPage(commands: CommandTable, version: string): Promise<string> {
  const all = await loadAll(commands);
  const out = [
    `.TH ${BIN.toUpperCase()} 1 "" "${BIN} ${version}" "User Commands"`,
    '.SH NAME',
    `${BIN} \\- diagnose openQA multi\\-machine (tap) worker hosts`,
    '.SH SYNOPSIS',
    ...Object.keys(all).map((id) => `.B ${BIN} ${shown(id)}\n.RI [ FLAGS ]\n.br`),
    `.B ${BIN}\n.RB [ \\-h | \\-\\-help | \\-v | \\-\\-version ]`,
    '.SH DESCRIPTION',
    ...paragraphs(
      `${BIN} diagnoses openQA multi-machine worker hosts: the Open vSwitch bridge, the tap devices, the VLAN tags set per job, NAT, GRE tunnels and the factory share. Every finding says what is wrong, why it breaks multi-machine tests, and the commands that fix it. '${BIN} explain ID' prints a check's full page.`,
    ),
    '.SH COMMANDS',
  ];
  for (const [id, Cmd] of Object.entries(all)) {
    const h = commandHelp(id, Cmd);
    out.push(`.SS ${esc(shown(id))}`, esc(h.summary), '.PP', `.B ${esc(h.usage)}`);
    if (h.args.length > 0) for (const a of h.args) out.push('.TP', `.I ${a.name}`, esc(a.text));
    for (const f of h.flags) {
      const names = [f.short, f.negatable ? `--[no-]${f.long.slice(2)}` : f.long].filter(Boolean).join(', ');
      out.push('.TP', `.B ${esc(names)}${f.value ? ` \\fI${esc(f.value)}\\fR` : ''}`, esc(f.text));
    }
    if (h.description) out.push(...paragraphs(h.description));
    if (h.examples.length > 0) {
      out.push('.PP', 'Examples:');
      for (const e of h.examples) out.push(...(e.description ? ['.PP', esc(e.description)] : []), '.PP', '.RS 4', '.nf', esc(`$ ${e.command}`), '.fi', '.RE');
    }
  }
  out.push(
    '.SH FILES',
    '.TP',
    '.I /etc/tapdoctor.yaml',
    'site settings (GRE MTU, multi\\-NIC taps, interfaces never taken for an uplink, waivers); \\-\\-config names another file',
    '.SH ENVIRONMENT',
    '.TP',
    '.B NO_COLOR',
    'no colour even on a terminal',
    '.TP',
    '.B OVS_RUNDIR',
    'where ovs\\-vsctl and ovs\\-ofctl find the Open vSwitch sockets',
    '.SH EXIT STATUS',
    '0: nothing at or above \\-\\-fail\\-on (gate: safe to reboot); 1: findings at or above it (gate: not safe); 2: usage error, unreadable input, or nothing could be checked (gate: cannot tell).',
    '.SH SEE ALSO',
    '.BR ovs\\-vsctl (8),',
    '.BR nft (8),',
    '.BR iptables (8)',
    '',
  );
  return out.join('\n');
}
