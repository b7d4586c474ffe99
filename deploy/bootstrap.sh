#!/usr/bin/env bash
# Idempotent VM setup for the Aster bot on Debian/Ubuntu: a system user, the directories,
# log rotation for the CSV logs, time synchronisation, the systemd unit. Safe to run twice:
# files are only written when their content differs, and the operator's config is never
# overwritten.
#
# Usage: sudo deploy/bootstrap.sh
# Environment:
#   ROOT=/path   install under a scratch root (tests); commands still run from PATH
#   ASTER_USER_NAME=aster   the service user
set -euo pipefail

ROOT="${ROOT:-}"
SVC_USER="${ASTER_USER_NAME:-aster}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHANGED=0

say() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

if [[ -z "$ROOT" && "$(id -u)" != "0" ]]; then
  die "run as root (sudo), or set ROOT=/scratch for a dry install"
fi
[[ -f /etc/debian_version || -n "$ROOT" ]] || die "Debian/Ubuntu only (no /etc/debian_version)"

# 1. The service user: a system account without a shell or home login.
if id -u "$SVC_USER" >/dev/null 2>&1; then
  say "user $SVC_USER exists"
else
  useradd --system --user-group --home-dir /var/lib/aster --no-create-home \
    --shell /usr/sbin/nologin "$SVC_USER"
  say "created system user $SVC_USER"
  CHANGED=1
fi
UID_NUM="$(id -u "$SVC_USER")"
GID_NUM="$(id -g "$SVC_USER")"

# ensure_dir PATH MODE OWNER:GROUP (numeric ids, so a scratch root needs no passwd entry)
ensure_dir() {
  local path="$ROOT$1" mode="$2" owner="$3"
  if [[ ! -d "$path" ]]; then
    mkdir -p "$path"
    CHANGED=1
    say "created $1"
  fi
  if [[ "$(stat -c '%a %u:%g' "$path")" != "$mode $owner" ]]; then
    chmod "$mode" "$path"
    chown "$owner" "$path"
    CHANGED=1
    say "set $1 to $mode $owner"
  fi
}

# install_file SRC DEST MODE OWNER:GROUP: copies only when the content differs.
install_file() {
  local src="$1" dest="$ROOT$2" mode="$3" owner="$4"
  if [[ ! -f "$dest" ]] || ! cmp -s "$src" "$dest"; then
    cp "$src" "$dest.tmp.$$"
    chmod "$mode" "$dest.tmp.$$"
    chown "$owner" "$dest.tmp.$$"
    mv -f "$dest.tmp.$$" "$dest"
    CHANGED=1
    say "installed $2"
    return 0
  fi
  if [[ "$(stat -c '%a %u:%g' "$dest")" != "$mode $owner" ]]; then
    chmod "$mode" "$dest"
    chown "$owner" "$dest"
    CHANGED=1
    say "fixed mode of $2"
  fi
  return 1
}

# 2. Directories: binaries (root-owned, read-only to the bot), config, logs, state.
ensure_dir /opt/aster 755 0:0
ensure_dir /opt/aster/bin 755 0:0
ensure_dir /etc/aster 750 "0:$GID_NUM"
ensure_dir /var/log/aster 750 "$UID_NUM:$GID_NUM"
ensure_dir /var/lib/aster 700 "$UID_NUM:$GID_NUM"
ensure_dir /etc/systemd/system 755 0:0
ensure_dir /etc/logrotate.d 755 0:0

# 3. Files. The env file is the operator's: created from env.sample once, never replaced.
install_file "$HERE/fetch_secrets.sh" /opt/aster/bin/fetch_secrets.sh 755 0:0 || true
if [[ ! -f "$ROOT/etc/aster/aster.env" ]]; then
  install_file "$HERE/env.sample" /etc/aster/aster.env 640 "0:$GID_NUM" || true
  say "edit /etc/aster/aster.env before starting the service"
fi

# 4. Log rotation for the CSV logs. The recorder keeps each file open and appends
# forever, so copytruncate would lose the lines written between copy and truncate and
# leave a file without its CSV header. Instead: rename daily (the open fd follows the
# renamed file, nothing is lost), do not create a new file (the recorder writes a fresh
# one with its header when it opens it), and restart the service so it reopens; the bot
# adopts its positions across restarts and exits stay on the exchange.
# delaycompress: the renamed file is compressed one day later, once surely closed.
LOGROTATE="$(mktemp)"
trap 'rm -f "$LOGROTATE"' EXIT
cat >"$LOGROTATE" <<'CONF'
/var/log/aster/*.csv {
    su aster aster
    daily
    rotate 30
    dateext
    missingok
    notifempty
    nocreate
    compress
    delaycompress
    sharedscripts
    postrotate
        systemctl try-restart aster.service >/dev/null 2>&1 || true
    endscript
}
CONF
sed -i "s/su aster aster/su $SVC_USER $SVC_USER/" "$LOGROTATE"
install_file "$LOGROTATE" /etc/logrotate.d/aster 644 0:0 || true

# 5. Time synchronisation: the exchange rejects requests from a skewed clock.
if systemctl is-active --quiet chrony 2>/dev/null; then
  say "time sync: chrony active"
else
  if ! systemctl list-unit-files systemd-timesyncd.service >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y systemd-timesyncd
    CHANGED=1
  fi
  if [[ "$(timedatectl show --property=NTP --value 2>/dev/null)" != "yes" ]]; then
    timedatectl set-ntp true
    CHANGED=1
    say "time sync: enabled NTP (systemd-timesyncd)"
  else
    say "time sync: NTP already on"
  fi
fi

# 6. The units: the bot, and the root oneshot staging its credentials (pulled in by the
# bot's Requires=, so it is not enabled on its own).
reload=0
install_file "$HERE/aster-secrets.service" /etc/systemd/system/aster-secrets.service 644 0:0 &&
  reload=1
install_file "$HERE/aster.service" /etc/systemd/system/aster.service 644 0:0 && reload=1
if [[ "$reload" == 1 ]]; then
  systemctl daemon-reload
fi
if ! systemctl is-enabled --quiet aster.service 2>/dev/null; then
  systemctl enable aster.service
  CHANGED=1
fi

if [[ "$CHANGED" == 1 ]]; then say "done (changes made)"; else say "done (nothing to change)"; fi
