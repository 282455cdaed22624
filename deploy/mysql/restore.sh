#!/bin/sh
# Restores a dump written by backup.sh: every schema in it is dropped and
# recreated under its own name, so stop every yiwang replica first and
# start one when this has finished (deploy/README.md section 9).
#
#   deploy/mysql/restore.sh IN.sql.gz
#
# Client options as for backup.sh (MYSQL_DEFAULTS, MYSQL_ARGS). The dump
# is read whole (gzip checks it) before the server sees a statement, so a
# damaged file changes nothing.
set -eu
if [ $# -ne 1 ]; then
	echo "用法：$0 备份文件.sql.gz" >&2
	exit 2
fi
in=$1
client=$(command -v mariadb || command -v mysql)
set -- ${MYSQL_DEFAULTS:+--defaults-extra-file=$MYSQL_DEFAULTS} ${MYSQL_ARGS:-}
if ! gzip -t "$in"; then
	echo "备份文件已损坏，没有恢复：$in" >&2
	exit 1
fi
gunzip -c "$in" | "$client" "$@" --default-character-set=utf8mb4
echo "已从 $in 恢复："
gunzip -c "$in" | sed -n 's/^CREATE DATABASE .*`\([^`]*\)`.*/  \1/p'
