#!/bin/sh
# Backs up yiwang on MariaDB/MySQL with the server's own dump tool: the
# platform database and every module's schema beside it (DB_mailbox,
# DB_disclosure, …, each module keeps its own), in one consistent
# snapshot (--single-transaction, no table locks; the service keeps
# running). The dump recreates the schemas under their own names.
#
#   deploy/mysql/backup.sh DB OUT.sql.gz
#
# Client options (account, host) come from the file MYSQL_DEFAULTS names
# (e.g. /etc/yiwang/backup.cnf, see deploy/README.md section 9) and from
# MYSQL_ARGS. The file appears whole or not at all; the schemas it holds
# are printed.
set -eu
if [ $# -ne 2 ]; then
	echo "用法：$0 数据库名 输出文件.sql.gz" >&2
	exit 2
fi
db=$1
out=$2
case "$db" in *[!A-Za-z0-9_]* | "") echo "数据库名只能含字母、数字和下划线：$db" >&2; exit 2 ;; esac
client=$(command -v mariadb || command -v mysql)
dump=$(command -v mariadb-dump || command -v mysqldump)
set -- ${MYSQL_DEFAULTS:+--defaults-extra-file=$MYSQL_DEFAULTS} ${MYSQL_ARGS:-}

# The modules' schemas are named after the platform's database; which
# modules exist is in the platform's own tables, so an unrelated schema
# with a similar name is never taken along.
schemas=$("$client" "$@" -N -B -e "
SELECT schema_name FROM information_schema.schemata
WHERE schema_name = '$db'
   OR schema_name IN (SELECT CONCAT('${db}_', module) FROM \`$db\`.tenant_modules
                      UNION SELECT CONCAT('${db}_', module) FROM \`$db\`.module_processes)
ORDER BY schema_name")
if [ -z "$schemas" ]; then
	echo "服务器上没有数据库 $db" >&2
	exit 1
fi

tmp="$out.partial"
trap 'rm -f "$tmp"' EXIT
# shellcheck disable=SC2086 # one word per schema
"$dump" "$@" --single-transaction --hex-blob --no-tablespaces \
	--default-character-set=utf8mb4 --add-drop-database --databases $schemas | gzip >"$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "已备份到 $out："
echo "$schemas" | sed 's/^/  /'
