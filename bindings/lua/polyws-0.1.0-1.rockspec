-- LuaRocks package of the polyws Lua binding (Lua 5.1 to 5.4, LuaJIT).
--
-- Build from a checkout, against an installed libpolyws and with SWIG 4 on
-- PATH:
--   cd bindings/lua
--   luarocks make polyws-0.1.0-1.rockspec [POLYWS_DIR=/prefix | POLYWS_INCDIR=... POLYWS_LIBDIR=...]
-- `--lua-version=5.1|5.4` and `--tree=DIR` choose the Lua and the tree.
rockspec_format = "3.0"
package = "polyws"
version = "0.1.0-1"
source = {
  -- No published archive yet: `luarocks make` builds the checkout it runs in
  -- (bindings/lua, with the shared SWIG interface one level up).
  url = "git+file:///polyws",
  dir = "polyws/bindings/lua",
}
description = {
  summary = "The browser's WebSocket API (WHATWG semantics) for Lua, on libpolyws",
  detailed = [[
polyws.new(url, protocols, options) gives a WebSocket with readyState, url,
protocol, extensions, bufferedAmount, binaryType, send, close, on<event>
handlers and addEventListener. Events run on the Lua thread inside
polyws.dispatch(); polyws.fd() lets luv, cqueues, copas or a game loop wait
for them; polyws.run/spawn give blocking-style code in coroutines.
]],
  license = "MIT",
  labels = { "websocket", "network" },
}
dependencies = {
  "lua >= 5.1, < 5.5",
}
external_dependencies = {
  POLYWS = { header = "polyws.h", library = "polyws" },
}
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    CMAKE_INSTALL_PREFIX = "$(PREFIX)",
    LUA_INCDIR = "$(LUA_INCDIR)",
    LUADIR = "$(LUADIR)",
    LIBDIR = "$(LIBDIR)",
    POLYWS_INCDIR = "$(POLYWS_INCDIR)",
    POLYWS_LIBDIR = "$(POLYWS_LIBDIR)",
  },
}
