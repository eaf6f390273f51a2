#!/bin/sh
# Runs the polyws CLI under valgrind memcheck, for test runners that take a
# CLI path: any memory error or leak makes it exit 99, which no test expects.
exec valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
    "$POLYWS_REAL_CLI" "$@"
