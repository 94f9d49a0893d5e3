// Users and groups (/etc/passwd, /etc/group) and the configured worker account.

import {buildAccountDb, parseGroup, parsePasswd, type AccountDb, type GroupEntry} from '../../parsers/accounts.js';
import {FactUnavailable, type Fact} from '../facts.js';
import type {Account} from '../types.js';

/** Users and groups from /etc/passwd and /etc/group (a missing group file: primary groups only). */
export const accounts: Fact<AccountDb> = (f) => {
  const passwd = f.file('accounts', '/etc/passwd');
  if (!passwd) throw new FactUnavailable('/etc/passwd was not captured');
  const group = f.file('accounts', '/etc/group');
  const groups: GroupEntry[] = group ? parseGroup(group.text, '/etc/group') : [];
  return buildAccountDb(parsePasswd(passwd.text, '/etc/passwd'), groups);
};

/** The account of f.config.workerUser, undefined when the host has no such user. */
export const workerAccount: Fact<Account | undefined> = (f) => f.get(accounts).byName.get(f.config.workerUser);
