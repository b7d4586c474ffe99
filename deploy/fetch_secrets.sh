#!/usr/bin/env bash
# Pulls the Aster API credentials from Google Secret Manager into root-only files on a
# tmpfs (/run/aster-secrets), before the bot starts. aster-secrets.service runs it as root
# in its own RuntimeDirectory (root-owned: the bot's user can neither write there nor plant
# a symlink); aster.service takes the files with LoadCredential=, so the bot reads them as
# /run/credentials/aster.service/aster_<file>.
#
# Configuration (from /etc/aster/aster.env):
#   ASTER_GCP_PROJECT          Google Cloud project holding the secrets (required)
#   ASTER_SECRET_SCHEME        v1 (API key + secret) or v3 (API-wallet agent key)  [v3]
#   ASTER_SECRET_API_KEY       V1: secret name of the API key        [aster-api-key]
#   ASTER_SECRET_API_SECRET    V1: secret name of the API secret     [aster-api-secret]
#   ASTER_SECRET_AGENT_KEY     V3: secret name of the agent key      [aster-agent-key]
#   ASTER_SECRET_VERSION       secret version                        [latest]
# Files written (point the bot at them in aster.env):
#   v1: $DIR/api_key, $DIR/api_secret  -> ORDER_API_KEY=/run/credentials/aster.service/aster_api_key,
#                                         ORDER_SECRET_KEY=/run/credentials/aster.service/aster_api_secret
#   v3: $DIR/agent_key                 -> ASTER_AGENT_KEY_FILE=/run/credentials/aster.service/aster_agent_key
# Test hooks: ROOT=/scratch prefixes the paths; ASTER_SECRETS_ALLOW_DISK=1 skips the tmpfs
# check; ASTER_SECRETS_DIR overrides the directory.
set -euo pipefail
umask 077

ROOT="${ROOT:-}"
DIR="$ROOT${ASTER_SECRETS_DIR:-${RUNTIME_DIRECTORY:-/run/aster-secrets}}"
SCHEME="${ASTER_SECRET_SCHEME:-v3}"
VERSION="${ASTER_SECRET_VERSION:-latest}"

die() { printf 'fetch_secrets: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'fetch_secrets: %s\n' "$*"; }

[[ -n "${ASTER_GCP_PROJECT:-}" ]] || die "ASTER_GCP_PROJECT is not set"
case "$SCHEME" in
  v1) NAMES=("api_key:${ASTER_SECRET_API_KEY:-aster-api-key}" "api_secret:${ASTER_SECRET_API_SECRET:-aster-api-secret}") ;;
  v3) NAMES=("agent_key:${ASTER_SECRET_AGENT_KEY:-aster-agent-key}") ;;
  *) die "ASTER_SECRET_SCHEME must be v1 or v3, not \"$SCHEME\"" ;;
esac
command -v gcloud >/dev/null || die "gcloud not found on PATH"
# The files belong to whoever runs this (root in production): systemd hands them to the
# bot through LoadCredential=.
UID_NUM="$(id -u)"
GID_NUM="$(id -g)"

# The directory: private to its owner, on a tmpfs (never on disk), not a symlink.
[[ ! -L "$DIR" ]] || die "refusing: $DIR is a symbolic link"
if [[ -e "$DIR" ]]; then
  perms="$(stat -c '%a' "$DIR")"
  if (( (8#$perms & 8#007) != 0 )); then
    die "refusing: $DIR is accessible to others (mode $perms); the keys would be world-readable"
  fi
else
  mkdir -p "$DIR"
fi
chmod 700 "$DIR"
chown "$UID_NUM:$GID_NUM" "$DIR"
if [[ "${ASTER_SECRETS_ALLOW_DISK:-0}" != 1 ]]; then
  fstype="$(stat -f -c '%T' "$DIR")"
  [[ "$fstype" == tmpfs || "$fstype" == ramfs ]] ||
    die "refusing: $DIR is on $fstype, not a tmpfs; keys must not touch the disk"
fi

changed=0
for entry in "${NAMES[@]}"; do
  file="${entry%%:*}"
  secret="${entry#*:}"
  # Held in memory first: an unchanged secret leaves the directory untouched.
  if ! value="$(gcloud secrets versions access "$VERSION" --secret="$secret" \
      --project="$ASTER_GCP_PROJECT" --quiet)"; then
    die "cannot read secret \"$secret\" (version $VERSION) from project $ASTER_GCP_PROJECT"
  fi
  [[ -n "$value" ]] || die "secret \"$secret\" is empty"
  dest="$DIR/$file"
  if [[ -f "$dest" ]] && printf '%s' "$value" | cmp -s - "$dest" &&
      [[ "$(stat -c '%a %u:%g' "$dest")" == "400 $UID_NUM:$GID_NUM" ]]; then
    continue
  fi
  # a fresh, unpredictable name created exclusively (mktemp: O_EXCL, 0600)
  tmp="$(mktemp "$DIR/.$file.XXXXXXXXXX")"
  printf '%s' "$value" >"$tmp"
  chmod 400 "$tmp"
  mv -f -T "$tmp" "$dest"
  changed=1
  say "wrote $file (secret \"$secret\", version $VERSION)"
done

# Final check: nothing in the directory may be readable by group or others.
while IFS= read -r f; do
  perms="$(stat -c '%a' "$f")"
  if (( (8#$perms & 8#077) != 0 )); then
    die "refusing: $f has mode $perms"
  fi
done < <(find "$DIR" -mindepth 1 -maxdepth 1)
if [[ "$changed" == 0 ]]; then say "secrets up to date"; fi
