#!/usr/bin/env bash
# Nightly backup of Kabinet: the database (pg_dump, custom format) and the files that live only
# on this server (residents' attachments, public uploads, billing files waiting for import).
# Run by deploy/systemd/kabinet-backup.timer as the user kabinet; keeps KEEP_DAYS days.
#
#   BACKUP_DIR=/var/backups/kabinet DATABASE_URL=postgres://kabinet@/kabinet?host=/var/run/postgresql \
#   KABINET_VAR_DIR=/var/lib/kabinet deploy/backup.sh
#
# Copy BACKUP_DIR off the server as well (rsync, restic, the hoster's storage): a backup on the
# same disk is lost with it. docs/deploy.md §12 restores it.
set -euo pipefail
BACKUP_DIR=${BACKUP_DIR:-/var/backups/kabinet}
KEEP_DAYS=${KEEP_DAYS:-14}
VAR_DIR=${KABINET_VAR_DIR:-/var/lib/kabinet}
PG_DUMP=${PG_DUMP:-pg_dump}
stamp=$(date +%Y-%m-%d_%H%M)
target="$BACKUP_DIR/$stamp"
mkdir -p "$target"
umask 077

# A consistent snapshot of the whole database without stopping anything (one transaction).
"$PG_DUMP" --format=custom --compress=6 --no-owner --file="$target/kabinet.dump" "$DATABASE_URL"
# Files: attachments and uploads. Taken after the dump, so every file a row names is there.
tar --create --gzip --file="$target/files.tar.gz" --directory="$VAR_DIR" \
    --ignore-failed-read private media imports 2>/dev/null || test $? -eq 1
( cd "$target" && sha256sum kabinet.dump files.tar.gz > SHA256SUMS )
echo "backup $target: $(du -sh "$target" | cut -f1)"

find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -mtime +"$KEEP_DAYS" -exec rm -rf {} +
