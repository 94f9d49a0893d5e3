# sos report plugin for openQA multi-machine ("tap") worker hosts: adds what `tapdoctor analyze`
# needs and sos does not collect. sos >= 4.0 (Plugin, IndependentPlugin API).
#
# Install: copy this file into sos's plugin directory, e.g.
#   Debian/Ubuntu:  /usr/lib/python3/dist-packages/sos/report/plugins/tapdoctor.py
#   SUSE/Fedora:    /usr/lib/python3.*/site-packages/sos/report/plugins/tapdoctor.py
# then `sos report -o tapdoctor,networking,openvswitch,filesys,kernel,systemd` (or let it run with
# the others: it enables itself on hosts with openQA worker configuration or tapdoctor).
#
# With tapdoctor installed, the plugin stores a `tapdoctor snapshot` (exactly what `tapdoctor
# check` reads, redacted by tapdoctor) and `tapdoctor analyze` of the sosreport uses it whole.
# Without tapdoctor it copies the pieces itself: workers.ini, the os-autoinst-openvswitch
# settings, the pool's vars.json/qemu.pid, tap owner/group from sysfs, getcap of qemu, the
# pre-up scripts, and runs iptables-save/nft as tapdoctor would. It never reads
# /etc/openqa/client.conf (API keys), and it scrubs secret-bearing keys and credentials inside
# URLs (scheme://user:pass@) from everything it adds, as tapdoctor's own redaction does.

import glob
import os

from sos.report.plugins import (Plugin, IndependentPlugin, DebianPlugin, UbuntuPlugin,
                                RedHatPlugin, SuSEPlugin)

# What tapdoctor puts in place of a secret (src/sources/redact.ts).
MARKER = '<redacted by tapdoctor>'
URL_MARKER = 'redacted-by-tapdoctor'
# scheme://userinfo@ -> scheme://redacted-by-tapdoctor@
URL_USERINFO = r'([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s"<>`]+@'
# KEY = value lines of ini/sysconfig/JSON whose key names a secret (a subset of redact.ts's rules).
SECRET_KEY_LINE = (r'(?im)^(\s*"?[A-Za-z0-9_.-]*(?:secret|password|passwd|passphrase|token|'
                   r'apikey|api_key|credential|private_?key|regcode)[A-Za-z0-9_.-]*"?'
                   r'\s*[=:]\s*)(.*)$')
SECRET_LAST_WORD_LINE = r'(?im)^(\s*(?:[A-Za-z0-9_.-]*[_.-])?(?:key|pass|pwd|psk)\s*=\s*)(.*)$'

WORKERS_INI = ['/etc/openqa/workers.ini', '/etc/openqa/workers.ini.d/*.ini',
               '/usr/etc/openqa/workers.ini', '/usr/etc/openqa/workers.ini.d/*.ini']
SWITCH_CONFIG = ['/etc/sysconfig/os-autoinst-openvswitch',
                 '/etc/systemd/system/os-autoinst-openvswitch.service.d/*.conf',
                 '/usr/lib/systemd/system/os-autoinst-openvswitch.service',
                 '/etc/systemd/system/os-autoinst-openvswitch.service']
# The script says which OpenFlow rules it installs (IPv6 since 2025-11).
SWITCH_SCRIPT = ['/usr/lib/os-autoinst/script/os-autoinst-openvswitch',
                 '/usr/lib/os-autoinst/os-autoinst-openvswitch']
POOL = ['/var/lib/openqa/pool/*/vars.json', '/var/lib/openqa/pool/*/qemu.pid']
TAP_SYSFS = ['/sys/class/net/*/tun_flags', '/sys/class/net/*/owner', '/sys/class/net/*/group']
PRE_UP = ['/etc/wicked/scripts/*', '/etc/NetworkManager/dispatcher.d/*',
          '/etc/NetworkManager/dispatcher.d/pre-up.d/*']
IFCFG = ['/etc/sysconfig/network/ifcfg-*', '/etc/sysconfig/network-scripts/ifcfg-*']
ACCOUNTS = ['/etc/passwd', '/etc/group']
RULE_FILES = ['/etc/firewall.nft', '/etc/sysconfig/iptables', '/etc/sysconfig/ip6tables',
              '/etc/iptables/rules.v4', '/etc/iptables/rules.v6']
NEVER = ['/etc/openqa/client.conf', '/usr/etc/openqa/client.conf',
         '/etc/shadow', '/etc/gshadow']

SNAPSHOT_NAME = 'tapdoctor-snapshot.tar.gz'


# IndependentPlugin alone is not loaded by sos 4.0's Debian policy (its valid_subclasses is
# [DebianPlugin] only), so the distribution tags are named too.
class Tapdoctor(Plugin, IndependentPlugin, DebianPlugin, UbuntuPlugin, RedHatPlugin, SuSEPlugin):
    """openQA multi-machine worker (tap) data for tapdoctor: workers.ini, the switch config,
    pool jobs, tap owners, qemu capabilities, iptables-save and nft rulesets, or a whole
    tapdoctor snapshot when tapdoctor is installed
    """

    plugin_name = 'tapdoctor'
    short_desc = 'openQA tap worker data for tapdoctor'
    profiles = ('network', 'virt')
    files = ('/etc/openqa/workers.ini', '/usr/etc/openqa/workers.ini',
             '/etc/sysconfig/os-autoinst-openvswitch', '/usr/bin/tapdoctor')

    def _tapdoctor(self):
        for d in os.environ.get('PATH', '/usr/bin:/bin').split(os.pathsep):
            exe = os.path.join(d, 'tapdoctor')
            if os.path.isfile(exe) and os.access(exe, os.X_OK):
                return exe
        return None

    def setup(self):
        self.add_forbidden_path(NEVER)
        exe = self._tapdoctor()
        if exe:
            # Exactly what `tapdoctor check` reads, already redacted by tapdoctor; analyze uses it whole.
            out = os.path.join(self.get_cmd_output_path(), SNAPSHOT_NAME)
            self.add_cmd_output('%s snapshot --quiet --force --output %s' % (exe, out),
                                suggest_filename='tapdoctor_snapshot', timeout=300)
            return
        self.add_copy_spec(WORKERS_INI + SWITCH_CONFIG + SWITCH_SCRIPT + POOL + TAP_SYSFS + PRE_UP + IFCFG
                           + ACCOUNTS + RULE_FILES)
        self.add_cmd_output(['iptables-save -c', 'ip6tables-save -c', 'nft -j list ruleset'])
        for qemu in sorted(glob.glob('/usr/bin/qemu-system-*')):
            self.add_cmd_output('getcap %s' % qemu)

    def postproc(self):
        secret_files = WORKERS_INI + SWITCH_CONFIG + POOL + IFCFG
        for spec in secret_files:
            regex = '^' + spec.replace('.', r'\.').replace('*', '[^/]*') + '$'
            self.do_path_regex_sub(regex, SECRET_KEY_LINE, r'\1' + MARKER)
            self.do_path_regex_sub(regex, SECRET_LAST_WORD_LINE, r'\1' + MARKER)
        # Credentials inside URLs, in every file and command output this plugin added.
        for spec in WORKERS_INI + SWITCH_CONFIG + POOL + IFCFG + PRE_UP + RULE_FILES:
            regex = '^' + spec.replace('.', r'\.').replace('*', '[^/]*') + '$'
            self.do_path_regex_sub(regex, URL_USERINFO, r'\1' + URL_MARKER + '@')
        for cmd in ['iptables-save', 'ip6tables-save', 'nft']:
            self.do_cmd_output_sub(cmd, URL_USERINFO, r'\1' + URL_MARKER + '@')

# vim: set et ts=4 sw=4 :
