# Point-in-time recovery of the local stack's databases, for scripts/ops.sh (source it after
# select_db, which sets PART and PORT). Each make-up server archives every finished WAL
# segment, gzipped, into $(pitr_dir PART)/wal (stack.sh's set_archiving); a base backup is a
# pg_basebackup (tar, gzip, with the WAL it needs) in $(pitr_dir PART)/base/<UTC time>/,
# with the time it finished (`finished`, seconds since 1970) and its first WAL segment
# (`start_wal`) beside it.
# shellcheck shell=bash

# Whether the selected database is a server of this stack that archives its WAL.
archiving() { [ -d "$(pitr_dir "$PART")/wal" ] && [ -s "$(data_dir "$PART")/PG_VERSION" ]; }

base_backup() {
  if ! archiving; then
    log "$PART: no base backup (not a server of this stack that archives its WAL)"
    return 0
  fi
  local base dir
  base=$(pitr_dir "$PART")/base
  dir=$base/$(date -u +%Y%m%dT%H%M%SZ)
  as_pg mkdir -p "$base"
  [ -e "$dir" ] && { sleep 1; dir=$base/$(date -u +%Y%m%dT%H%M%SZ); }
  as_pg "$(pg_bindir)/pg_basebackup" -h /tmp -p "$PORT" -U postgres -D "$dir" -Ft -z -X stream -c fast
  tar -xzOf "$dir/base.tar.gz" backup_label | sed -n 's/^START WAL LOCATION: .*(file \(.*\))$/\1/p' | as_pg tee "$dir/start_wal" >/dev/null
  date -u +%s | as_pg tee "$dir/finished" >/dev/null
  log "$PART: base backup in $dir ($(du -sh "$dir" | cut -f1))"
}

# The base backups, newest first.
base_backups() { ls -1d "$(pitr_dir "$PART")"/base/*/ 2>/dev/null | sed 's:/$::' | sort -r; }

# prune_base_backups: keeps the newest $BACKUP_KEEP (default 7) finished base backups, and
# the archived WAL from the oldest kept one on; older backups and segments go.
prune_base_backups() {
  local keep=${BACKUP_KEEP:-7} kept=0 oldest="" dir
  [[ $keep =~ ^[1-9][0-9]*$ ]] || die "BACKUP_KEEP must be a whole number of at least 1"
  archiving || { log "$PART: nothing to prune (no archived WAL)"; return 0; }
  for dir in $(base_backups); do
    [ -s "$dir/finished" ] || continue  # unfinished (or being taken): not counted, not removed
    if [ $kept -lt "$keep" ]; then
      kept=$((kept + 1))
      oldest=$dir
    else
      rm -rf "$dir"
      log "$PART: removed base backup $(basename "$dir")"
    fi
  done
  if [ -n "$oldest" ]; then
    as_pg "$(pg_bindir)/pg_archivecleanup" -x .gz "$(pitr_dir "$PART")/wal" "$(cat "$oldest/start_wal")"
    log "$PART: kept $kept base backup(s); archived WAL from $(cat "$oldest/start_wal") on"
  fi
}

# restore_at TIME: the selected database as it was at TIME, in a fresh data directory: the
# newest base backup finished before TIME, replayed from the archive up to TIME, then
# promoted. The server is stopped first (after archiving everything it has written, so no
# change up to now is missing), its old data directory is kept beside as
# <part>.before-restore until the next restore, and on failure it comes back as it was.
restore_at() {
  local at target now dir="" candidate data before started
  at=$1
  target=$(date -u -d "$at" +%s 2>/dev/null) || die "'$at' is not a time (RFC 3339, e.g. 2026-12-01T10:15:00Z)"
  now=$(date -u +%s)
  [ "$target" -le "$now" ] || die "$at is in the future"
  archiving || die "$PART is not a server of this stack that archives its WAL (start it with make up)"
  for candidate in $(base_backups); do
    if [ -s "$candidate/finished" ] && [ "$(cat "$candidate/finished")" -lt "$target" ]; then dir=$candidate; break; fi
  done
  [ -n "$dir" ] || die "$PART has no base backup finished before $at (make backup takes one)"
  started=$SECONDS
  data=$(data_dir "$PART")
  before=$data.before-restore
  if pid_alive "$RUN_DIR/$PART.pid"; then
    archive_everything
    bash "$ROOT/scripts/stack.sh" stop "$PART"
  fi
  log "$PART: restoring to $at from base backup $(basename "$dir")"
  rm -rf "$before"
  mv "$data" "$before"
  if ! replay "$dir" "$data" "$(date -u -d "$at" '+%Y-%m-%d %H:%M:%S.%N+00')"; then
    log "$PART: the restore failed; the database comes back as it was. Its log:"
    tail -n 15 "$LOG_DIR/$PART.log" >&2
    stop_cluster "$data"
    rm -rf "$data"
    mv "$before" "$data"
    bash "$ROOT/scripts/stack.sh" start "$PART" >&2
    die "$PART: point-in-time restore to $at failed"
  fi
  log "$PART: restored to $at in $((SECONDS - started)) s; the data it had is in $before until the next restore"
  # The restore began a new timeline: a base backup on it is where later restores start.
  base_backup
}

# Every change so far in the archive: a commit stamped now (so replay to any earlier time
# finds a commit after its target), then the current segment closed and archived.
archive_everything() {
  local segment deadline=$((SECONDS + 60))
  superuser_psql -tAc "SELECT txid_current()" >/dev/null
  segment=$(superuser_psql -tAc "SELECT pg_walfile_name(pg_switch_wal())")
  until [ "$(superuser_psql -tAc "SELECT coalesce(last_archived_wal >= '$segment', false) FROM pg_stat_archiver")" = t ]; do
    [ $SECONDS -lt $deadline ] || die "$PART did not archive $segment within 60 s; see $LOG_DIR/$PART.log"
    sleep 0.2
  done
}

# replay BACKUP DATA TARGET: DATA made from BACKUP, started in recovery up to TARGET (a
# PostgreSQL timestamp), and promoted.
replay() {
  local backup=$1 data=$2 target=$3 wal deadline state
  wal=$(pitr_dir "$PART")/wal
  as_pg mkdir -m 700 "$data"
  as_pg tar -xzf "$backup/base.tar.gz" -C "$data"
  as_pg tar -xzf "$backup/pg_wal.tar.gz" -C "$data/pg_wal"
  as_pg tee -a "$data/postgresql.conf" >/dev/null <<CONF
restore_command = 'test -f "$wal/%f.gz" && gunzip -c "$wal/%f.gz" > "%p"'  # make restore
recovery_target_time = '$target'  # make restore
recovery_target_action = 'promote'  # make restore
CONF
  as_pg touch "$data/recovery.signal"
  bash "$ROOT/scripts/stack.sh" start "$PART" >&2 || return 1
  deadline=$((SECONDS + ${RESTORE_TIMEOUT:-600}))
  until state=$(superuser_psql -tAc "SELECT pg_is_in_recovery()" 2>/dev/null) && [ "$state" = f ]; do
    pid_alive "$RUN_DIR/$PART.pid" || return 1
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
  sed -i '/# make restore$/d' "$data/postgresql.conf"
}
