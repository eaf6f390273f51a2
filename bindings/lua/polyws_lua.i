/* polyws_lua.i -- the Lua module `polyws_core`: the C API as it is (built for
 * Lua 5.4, Lua 5.1 and LuaJIT 2.1 from the same generated source). Scripts
 * use the idiomatic layer on top of it: `require "polyws"` (polyws.lua). */

%begin %{
#define _POSIX_C_SOURCE 200809L
%}

%module polyws_core

%include "../polyws.i"

/* Lua has no monotonic clock; the event layer needs one for timeouts. */
%{
#include <time.h>
%}
%rename(monotonic) polyws_lua_monotonic;
%inline %{
/* Seconds on CLOCK_MONOTONIC, as a float. */
double polyws_lua_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
%}
