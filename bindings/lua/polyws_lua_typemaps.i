/* polyws_lua_typemaps.i -- how polyws.h's types cross into Lua (5.1 to 5.4,
 * LuaJIT). Included by ../polyws.i inside its SWIGLUA section.
 *
 *   integers          Lua integers on 5.3+ (floats on 5.1), range-checked on
 *                     the way in: a value that does not fit is an error, never
 *                     a silent wrap.
 *   T **out           a handle returned as an extra result (nil when none):
 *                     `rc, ws = ws_new(url, nil)`.
 *   protocols         (const char *const *, size_t) from a Lua array of
 *                     strings, or nil.
 *   payloads          (const char *text, size_t), (const void *data, size_t)
 *                     from a Lua string, every byte (NULs included).
 *   ws_event_data()   the payload as one Lua string (binary-safe).
 *   user data         an integer (the idiomatic layer's socket id), not a
 *                     pointer: ws_set_user_data(ws, 42), ws_event_user_data(ev).
 *
 * No handle is owned by Lua here: polyws_core is the C API as it is, and
 * polyws.lua decides when ws_free() and ws_loop_free() run.
 */

%fragment("polyws_lua", "header") %{
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#if LUA_VERSION_NUM >= 503
#define polyws_lua_pushint(L, v) lua_pushinteger((L), (lua_Integer)(v))
#else
#define polyws_lua_pushint(L, v) lua_pushnumber((L), (lua_Number)(v))
#endif
#if LUA_VERSION_NUM >= 502
#define polyws_lua_rawlen(L, i) lua_rawlen((L), (i))
#else
#define polyws_lua_rawlen(L, i) lua_objlen((L), (i))
#endif

/* The number at `idx` as an integer in [0, max]; 0 if it is none. */
static int polyws_lua_touint(lua_State *L, int idx, unsigned long long max,
                             unsigned long long *out) {
  lua_Number n;
  if (lua_type(L, idx) != LUA_TNUMBER) return 0;
#if LUA_VERSION_NUM >= 503
  if (lua_isinteger(L, idx)) {
    lua_Integer i = lua_tointeger(L, idx);
    if (i < 0 || (unsigned long long)i > max) return 0;
    *out = (unsigned long long)i;
    return 1;
  }
#endif
  n = lua_tonumber(L, idx);
  if (!(n >= 0) || n != floor(n) || n >= 9223372036854775808.0) return 0;
  if ((unsigned long long)n > max) return 0;
  *out = (unsigned long long)n;
  return 1;
}

/* The number at `idx` as an int; 0 if it is none. */
static int polyws_lua_toint(lua_State *L, int idx, int *out) {
  lua_Number n;
  if (lua_type(L, idx) != LUA_TNUMBER) return 0;
#if LUA_VERSION_NUM >= 503
  if (lua_isinteger(L, idx)) {
    lua_Integer i = lua_tointeger(L, idx);
    if (i < INT_MIN || i > INT_MAX) return 0;
    *out = (int)i;
    return 1;
  }
#endif
  n = lua_tonumber(L, idx);
  if (n != floor(n) || n < (lua_Number)INT_MIN || n > (lua_Number)INT_MAX) return 0;
  *out = (int)n;
  return 1;
}
%}

/* ---- integers and enums ------------------------------------------------- */

%typemap(in, checkfn="lua_isnumber", fragment="polyws_lua")
    unsigned char, unsigned short, unsigned int, unsigned long, unsigned long long {
  unsigned long long v = 0;
  if (!polyws_lua_touint(L, $input, (unsigned long long)($1_ltype)~($1_ltype)0, &v)) {
    lua_pushfstring(L, "%s: argument %d (%s) is not an integer in range", "$symname",
                    $argnum, "$1_name");
    SWIG_fail;
  }
  $1 = ($1_ltype)v;
}

%typemap(in, checkfn="lua_isnumber", fragment="polyws_lua") int, enum SWIGTYPE {
  int v = 0;
  if (!polyws_lua_toint(L, $input, &v)) {
    lua_pushfstring(L, "%s: argument %d (%s) is not an integer in range", "$symname",
                    $argnum, "$1_name");
    SWIG_fail;
  }
  $1 = ($1_ltype)v;
}

%typemap(out, fragment="polyws_lua")
    int, unsigned char, unsigned short, unsigned int, unsigned long, unsigned long long,
    enum SWIGTYPE
%{ polyws_lua_pushint(L, $1); SWIG_arg++; %}

/* ---- handles returned through `T **out` -------------------------------- */

%typemap(in, numinputs=0) SWIGTYPE **out ($*1_ltype tmp = NULL) %{ $1 = &tmp; %}
%typemap(argout) SWIGTYPE **out {
  if (tmp$argnum)
    SWIG_NewPointerObj(L, (void *)tmp$argnum, $*1_descriptor, 0);
  else
    lua_pushnil(L);
  SWIG_arg++;
}

/* ws_loop_dispatch(loop, timeout_ms, &dispatched) -> rc, dispatched */
%typemap(in, numinputs=0) size_t *dispatched (size_t tmp = 0) %{ $1 = &tmp; %}
%typemap(argout, fragment="polyws_lua") size_t *dispatched
%{ polyws_lua_pushint(L, tmp$argnum); SWIG_arg++; %}

/* ---- protocols: a Lua array of strings, or nil -------------------------- */

%typemap(in, fragment="polyws_lua") (const char *const *protocols, size_t protocol_count)
    (const char **list = NULL, size_t count = 0) {
  if (lua_type(L, $input) == LUA_TTABLE) {
    size_t i;
    count = (size_t)polyws_lua_rawlen(L, $input);
    if (count) {
      list = (const char **)calloc(count, sizeof *list);
      if (!list) { lua_pushstring(L, "$symname: out of memory"); SWIG_fail; }
    }
    for (i = 0; i < count; i++) {
      lua_rawgeti(L, $input, (int)(i + 1));
      if (lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 1);
        lua_pushfstring(L, "$symname: protocols[%d] is not a string", (int)(i + 1));
        SWIG_fail;
      }
      list[i] = lua_tostring(L, -1); /* the table keeps the string alive */
      lua_pop(L, 1);
    }
  } else if (!lua_isnil(L, $input)) {
    lua_pushstring(L, "$symname: protocols must be an array of strings or nil");
    SWIG_fail;
  }
  $1 = ($1_ltype)list;
  $2 = count;
}
%typemap(freearg) (const char *const *protocols, size_t protocol_count)
%{ free((void *)list$argnum); %}

/* ---- payloads: Lua strings, every byte ---------------------------------- */

%typemap(in, checkfn="lua_isstring") (const char *text, size_t size),
                                     (const void *data, size_t size),
                                     (const char *pem, size_t size) {
  size_t len = 0;
  $1 = ($1_ltype)lua_tolstring(L, $input, &len);
  $2 = len;
}

/* ws_event_data(ev) -> the payload as a Lua string (nil for no event). */
%typemap(in, numinputs=0) size_t *size (size_t tmp = 0) %{ $1 = &tmp; %}
%typemap(out) const uint8_t *ws_event_data ""
%typemap(argout) size_t *size {
  if (result)
    lua_pushlstring(L, (const char *)result, tmp$argnum);
  else
    lua_pushnil(L);
  SWIG_arg++;
}

/* ---- user data: an integer id ------------------------------------------- */

%typemap(in, checkfn="lua_isnumber", fragment="polyws_lua") void *user_data {
  unsigned long long v = 0;
  if (!polyws_lua_touint(L, $input, (unsigned long long)INTPTR_MAX, &v)) {
    lua_pushstring(L, "$symname: user_data must be a non-negative integer");
    SWIG_fail;
  }
  $1 = (void *)(intptr_t)v;
}
%typemap(out, fragment="polyws_lua") void *ws_user_data, void *ws_event_user_data
%{ polyws_lua_pushint(L, (intptr_t)$1); SWIG_arg++; %}

/* ---- strings returned through `const char **` (response headers) ------- */

%typemap(in, numinputs=0) const char **name (const char *tmp = NULL),
                          const char **value (const char *tmp = NULL) %{ $1 = ($1_ltype)&tmp; %}
%typemap(argout) const char **name, const char **value {
  if (tmp$argnum)
    lua_pushstring(L, tmp$argnum);
  else
    lua_pushnil(L);
  SWIG_arg++;
}
