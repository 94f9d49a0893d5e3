// NetworkManager profiles, changed with nmcli only (never by editing keyfiles under its feet).
import {q} from './shell.js';
import {step, type Step} from './step.js';

/** `nmcli connection modify ID SETTING VALUE…`: one step per profile and first setting. */
export function nmModify(id: string, ...settings: Array<[string, string]>): Step {
  return step('persist', `nm:${id}:${settings[0]![0]}`, [`nmcli connection modify ${q(id)} ${settings.map(([k, v]) => `${k} ${q(v)}`).join(' ')}`]);
}

/** Add a profile unless one of that name exists. */
export function nmAdd(name: string, args: string): Step {
  return step('persist', `nm-new:${name}`, [`nmcli connection show ${q(name)} >/dev/null 2>&1 || nmcli connection add con-name ${q(name)} ${args}`]);
}
