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

/* next_event(loop, timeout_ms) -> rc, type, id, data, binary, ev
 *
 * ws_loop_next_event() and the reads the event pump needs, in one call: the
 * pump takes one event per message, and five calls through the generic
 * wrappers (each checking its arguments' types, each event a new userdata)
 * cost the Lua binding more than the loop's own work per round trip.
 *   no event:  rc
 *   message:   rc, WS_EVENT_MESSAGE, id, payload (a Lua string), is_binary
 *   any other: rc, type, id, nil, nil, ev (read it with the ws_event_*
 *              functions until the next call on the loop)
 * `id` is ws_event_user_data() as the integer the idiomatic layer set. */
%fragment("polyws_lua");
%{
static int polyws_lua_next_event(lua_State *L) {
  ws_loop *loop = NULL;
  const ws_event *ev = NULL;
  int timeout_ms = 0;
  ws_result rc;
  ws_event_type_t type;
  if (!SWIG_IsOK(SWIG_ConvertPtr(L, 1, (void **)&loop, SWIGTYPE_p_ws_loop, 0)) ||
      !polyws_lua_toint(L, 2, &timeout_ms))
    return luaL_error(L, "next_event: expected (ws_loop, timeout_ms)");
  rc = ws_loop_next_event(loop, timeout_ms, &ev);
  polyws_lua_pushint(L, rc);
  if (!ev) return 1;
  type = ws_event_type(ev);
  polyws_lua_pushint(L, type);
  polyws_lua_pushint(L, (intptr_t)ws_event_user_data(ev));
  if (type == WS_EVENT_MESSAGE) {
    size_t size = 0;
    const uint8_t *data = ws_event_data(ev, &size);
    lua_pushlstring(L, (const char *)data, size);
    lua_pushboolean(L, ws_event_is_binary(ev));
    return 5;
  }
  lua_pushnil(L);
  lua_pushnil(L);
  SWIG_NewPointerObj(L, (void *)ev, SWIGTYPE_p_ws_event, 0);
  return 6;
}
%}
%native(next_event) int polyws_lua_next_event(lua_State *L);
