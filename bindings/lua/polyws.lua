--- polyws: the browser's WebSocket API for Lua 5.1 to 5.4 and LuaJIT.
--
--     local polyws = require "polyws"
--     local ws = assert(polyws.new("ws://127.0.0.1:9001/", "chat"))
--     ws.onopen = function() ws:send("hello") end
--     ws.onmessage = function(ev) print(ev.data); ws:close(1000, "done") end
--     while ws.readyState ~= polyws.CLOSED do polyws.dispatch(0.1) end
--
-- Events run on the Lua thread only, inside polyws.dispatch() (or a task's
-- wait, see polyws.run). Nothing native ever calls into Lua: this layer takes
-- events one by one from its own loop with ws_loop_next_event() and runs the
-- listeners itself. The reference is bindings/lua/README.md.
--
-- Errors: where a browser throws a DOMException (SyntaxError,
-- InvalidStateError, InvalidAccessError), the call returns
-- `nil, message, name`, so `assert(...)` turns it into an error. Misuse of
-- the Lua API itself (a table where a string belongs, an unknown option)
-- raises, as Lua's standard library does.

local core = require "polyws_core"

local assert, error, next, pairs, rawget, rawset, select, setmetatable, tostring, type =
      assert, error, next, pairs, rawget, rawset, select, setmetatable, tostring, type
local floor, huge = math.floor, math.huge
local cocreate, coresume, corunning, costatus, coyield =
      coroutine.create, coroutine.resume, coroutine.running, coroutine.status, coroutine.yield
local traceback = debug.traceback
local unpack = table.unpack or unpack

local ws_loop_next_event = core.ws_loop_next_event
local ws_event_type = core.ws_event_type
local ws_event_user_data = core.ws_event_user_data
local ws_event_data = core.ws_event_data
local ws_event_is_binary = core.ws_event_is_binary
local ws_ready_state = core.ws_ready_state
local ws_send_text = core.ws_send_text
local ws_send_binary = core.ws_send_binary
local ws_free = core.ws_free
local now = core.monotonic

local M = {
  CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3,
  _VERSION = "polyws " .. core.ws_version(),
  core = core,
}

--- The library's version string, "MAJOR.MINOR.PATCH".
function M.version() return core.ws_version() end

--- Seconds on a monotonic clock (for timeouts and deadlines).
M.now = now

-- ---------------------------------------------------------------------------
-- Compatibility: finalizers and pcall with arguments on 5.1 / LuaJIT
-- ---------------------------------------------------------------------------

-- An object whose collection runs fn(). Lua 5.1 and LuaJIT only finalize
-- userdata (newproxy); 5.2+ finalize tables.
local newproxy = rawget(_G, "newproxy")
local function finalizer(fn)
  if newproxy then
    local p = newproxy(true)
    getmetatable(p).__gc = fn
    return p
  end
  return setmetatable({}, { __gc = fn })
end

local function pack(...) return { n = select("#", ...), ... } end

-- The error with the listener's part of the stack (down to where polyws
-- called it).
local function handler(msg)
  local lines = {}
  for line in traceback(tostring(msg), 2):gmatch("[^\n]+") do
    if line:find("polyws%.lua:%d+:") or line:find("'xpcall'") or line:find("'protected_call'") then break end
    lines[#lines + 1] = line
  end
  return table.concat(lines, "\n")
end

local protected_call -- protected_call(fn, arg) -> ok, err
if _VERSION == "Lua 5.1" and not rawget(_G, "jit") then
  protected_call = function(fn, arg)
    return xpcall(function() return fn(arg) end, handler)
  end
else
  protected_call = function(fn, arg) return xpcall(fn, handler, arg) end
end

-- ---------------------------------------------------------------------------
-- The loop this module owns (one per Lua state)
-- ---------------------------------------------------------------------------

local loop
local host_driven = false
local function new_loop(delivery, level)
  local rc, l = core.ws_loop_new(delivery)
  if rc ~= core.WS_OK then
    error("polyws: cannot start an event loop: " .. core.ws_last_error(nil), level + 1)
  end
  return l
end
loop = new_loop(core.WS_DELIVERY_DISPATCH, 2)
-- Freed when nothing that uses the loop is left (at the latest when the Lua
-- state closes): every function below that passes `loop` to C also holds
-- loop_guard. Sockets still alive keep the native loop running until they
-- are freed too.
local loop_guard = finalizer(function() core.ws_loop_free(loop) end)
M._loop_guard = loop_guard

-- ---------------------------------------------------------------------------
-- Results
-- ---------------------------------------------------------------------------

local ERROR_NAMES = {
  [core.WS_ERR_SYNTAX] = "SyntaxError",
  [core.WS_ERR_INVALID_STATE] = "InvalidStateError",
  [core.WS_ERR_INVALID_ACCESS] = "InvalidAccessError",
  [core.WS_ERR_INVALID_ARGUMENT] = "InvalidArgumentError",
  [core.WS_ERR_INVALID_UTF8] = "InvalidUTF8Error",
  [core.WS_ERR_NO_MEMORY] = "NoMemoryError",
  [core.WS_ERR_BUFFER_FULL] = "BufferFullError",
  [core.WS_ERR_REENTRANT] = "ReentrantError",
  [core.WS_ERR_LOOP] = "LoopError",
  [core.WS_ERR_INTERNAL] = "InternalError",
}

-- nil, "<Name>: <what>", "<Name>"
local function failure(rc, detail)
  local name = ERROR_NAMES[rc] or "Error"
  if detail == nil or detail == "" then detail = core.ws_result_str(rc) end
  return nil, name .. ": " .. detail, name
end

local function argerror(n, fname, msg, level)
  error(("bad argument #%d to '%s' (%s)"):format(n, fname, msg), (level or 2) + 1)
end

-- What a listener entry calls: the function itself, a callable table, or
-- a table's handleEvent method (the browser's EventListener objects).
local function invoker(fn)
  local t = type(fn)
  if t == "function" then return fn end
  if t == "table" then
    local mt = getmetatable(fn)
    if mt and mt.__call then return fn end
    if fn.handleEvent ~= nil then return function(ev) return fn:handleEvent(ev) end end
  end
  return nil
end

-- ---------------------------------------------------------------------------
-- Sockets
-- ---------------------------------------------------------------------------

local PRIV = {}        -- key of each socket's private state (st) in its table
local Socket = {}      -- methods
local SocketMT = { __name = "polyws.WebSocket", __metatable = "polyws.WebSocket" }

local by_id = setmetatable({}, { __mode = "v" }) -- id -> socket, every live one
local pinned = {}                                -- id -> socket kept alive
local next_id = 0
local ready_q = {}     -- tasks (coroutines) to resume, in order

local EVENT_TYPES = { open = true, message = true, error = true, close = true }

-- st: { id, h (the native handle, nil once freed), url, protocol, extensions,
--       buffered (after free), binaryType, listeners = { type -> array },
--       attrs = { type -> entry }, queue, opened, errorMessage, closeEvent,
--       waiters, guard }
local function priv(ws, fname)
  local st = type(ws) == "table" and rawget(ws, PRIV)
  if not st then argerror(1, fname or "?", "polyws.WebSocket expected", 3) end
  return st
end

local function has_listeners(st, t)
  local l = st.listeners[t]
  return l ~= nil and l[1] ~= nil
end

-- Browser rule: a socket that can still fire an event somebody listens to
-- is not garbage: CONNECTING with any listener, OPEN with message, error or
-- close listeners, CLOSING with error or close listeners. Anything else is
-- only weakly held and closed (ws_free) when the GC collects it.
local function update_pin(ws, st)
  local keep = false
  local h = st.h
  if h then
    local s = ws_ready_state(h)
    if st.reconnecting then s = 0 end -- a reconnect is coming: as CONNECTING
    if s == 0 then
      keep = has_listeners(st, "open") or has_listeners(st, "message")
        or has_listeners(st, "error") or has_listeners(st, "close")
    elseif s == 1 then
      keep = has_listeners(st, "message") or has_listeners(st, "error") or has_listeners(st, "close")
    elseif s == 2 then
      keep = has_listeners(st, "error") or has_listeners(st, "close")
    end
  end
  pinned[st.id] = keep and ws or nil
end

local function wake(st)
  local w = st.waiters
  if w then
    st.waiters = nil
    for i = 1, #w do
      local rec = w[i]
      if rec.active then
        rec.active = false
        ready_q[#ready_q + 1] = rec.co
      end
    end
  end
end

-- Frees the native socket now (state CLOSED from then on; url, protocol,
-- extensions and bufferedAmount keep their last values).
local function release(ws, st)
  local h = st.h
  if h then
    st.protocol = core.ws_protocol(h)
    st.extensions = core.ws_extensions(h)
    st.buffered = core.ws_buffered_amount(h)
    st.h = nil
    ws_free(h)
  end
  pinned[st.id] = nil
  wake(st)
end

local function check_protocols(protocols)
  if protocols == nil then return nil end
  local list
  local t = type(protocols)
  if t == "string" then
    list = { protocols }
  elseif t == "table" then
    list = {}
    for i = 1, #protocols do
      local p = protocols[i]
      if type(p) == "number" then p = tostring(p) end
      if type(p) ~= "string" then argerror(2, "new", "protocols[" .. i .. "] is not a string", 3) end
      list[i] = p
    end
  else
    argerror(2, "new", "string or array of strings expected, got " .. t, 3)
  end
  for i = 1, #list do
    -- Not a token (and the C API would cut the string at the NUL).
    if list[i]:find("\0", 1, true) then
      return false, "SyntaxError: subprotocol " .. ("%q"):format(list[i]) .. " is not a valid token"
    end
  end
  return list
end

local function seconds_to_ms(v, name)
  if type(v) ~= "number" or v ~= v or v < 0 then
    argerror(3, "new", "option " .. name .. " must be a number of seconds >= 0", 4)
  end
  local ms = floor(v * 1000 + 0.5)
  if ms > 4294967295 then ms = 4294967295 end
  return ms
end

local function bytes(v, name)
  if type(v) ~= "number" or v ~= floor(v) or v < 0 then
    argerror(3, "new", "option " .. name .. " must be a whole number of bytes", 4)
  end
  return v
end

local function str(v, name)
  if type(v) ~= "string" then argerror(3, "new", "option " .. name .. " must be a string", 5) end
  return v
end

local function bool(v, name)
  if type(v) ~= "boolean" then argerror(3, "new", "option " .. name .. " must be a boolean", 5) end
  return v
end

local function pair(v, name)
  if type(v) ~= "table" then argerror(3, "new", "option " .. name .. " must be a table of two values", 5) end
  return v[1], v[2]
end

local function each_header(v, fn)
  if type(v) ~= "table" then argerror(3, "new", "option headers must be a table", 5) end
  if v[1] ~= nil then
    for i = 1, #v do
      local h = v[i]
      if type(h) ~= "table" then argerror(3, "new", "headers[" .. i .. "] must be { name, value }", 5) end
      local rc = fn(str(h[1], "headers"), str(h[2], "headers"))
      if rc ~= core.WS_OK then return rc end
    end
  else
    local names = {}
    for k in pairs(v) do names[#names + 1] = str(k, "headers") end
    table.sort(names)
    for _, k in ipairs(names) do
      local rc = fn(k, str(v[k], "headers"))
      if rc ~= core.WS_OK then return rc end
    end
  end
  return core.WS_OK
end

-- option -> function(options_handle, value) -> rc; only those this
-- libpolyws has (the module is the C API as it was built against).
local OPTIONS = {}
local function option(name, setter, fn)
  if core[setter] then OPTIONS[name] = fn end
end
option("maxMessageSize", "ws_options_set_max_message_size", function(o, v)
  return core.ws_options_set_max_message_size(o, bytes(v, "maxMessageSize")) end)
option("sendBufferLimit", "ws_options_set_send_buffer_limit", function(o, v)
  return core.ws_options_set_send_buffer_limit(o, bytes(v, "sendBufferLimit")) end)
option("connectTimeout", "ws_options_set_connect_timeout_ms", function(o, v)
  return core.ws_options_set_connect_timeout_ms(o, seconds_to_ms(v, "connectTimeout")) end)
option("closeTimeout", "ws_options_set_close_timeout_ms", function(o, v)
  return core.ws_options_set_close_timeout_ms(o, seconds_to_ms(v, "closeTimeout")) end)
option("pingInterval", "ws_options_set_ping_interval_ms", function(o, v)
  return core.ws_options_set_ping_interval_ms(o, seconds_to_ms(v, "pingInterval")) end)
option("pongTimeout", "ws_options_set_pong_timeout_ms", function(o, v)
  return core.ws_options_set_pong_timeout_ms(o, seconds_to_ms(v, "pongTimeout")) end)
option("caFile", "ws_options_set_ca_file", function(o, v)
  return core.ws_options_set_ca_file(o, str(v, "caFile")) end)
option("caPem", "ws_options_set_ca_pem", function(o, v)
  return core.ws_options_set_ca_pem(o, str(v, "caPem")) end)
option("clientCert", "ws_options_set_client_cert", function(o, v)
  local cert, key = pair(v, "clientCert")
  return core.ws_options_set_client_cert(o, str(cert, "clientCert"), str(key, "clientCert")) end)
option("tlsServerName", "ws_options_set_tls_server_name", function(o, v)
  return core.ws_options_set_tls_server_name(o, str(v, "tlsServerName")) end)
option("insecureNoTlsVerify", "ws_options_set_insecure_no_tls_verify", function(o, v)
  return core.ws_options_set_insecure_no_tls_verify(o, bool(v, "insecureNoTlsVerify")) end)
option("perMessageDeflate", "ws_options_set_permessage_deflate", function(o, v)
  return core.ws_options_set_permessage_deflate(o, bool(v, "perMessageDeflate")) end)
option("deflateWindowBits", "ws_options_set_deflate_window_bits", function(o, v)
  local c, sv = pair(v, "deflateWindowBits")
  return core.ws_options_set_deflate_window_bits(o, bytes(c or 15, "deflateWindowBits"),
    bytes(sv or 15, "deflateWindowBits")) end)
option("deflateNoContextTakeover", "ws_options_set_deflate_no_context_takeover", function(o, v)
  local c, sv = pair(v, "deflateNoContextTakeover")
  return core.ws_options_set_deflate_no_context_takeover(o, c == true, sv == true) end)
option("proxy", "ws_options_set_proxy", function(o, v)
  return core.ws_options_set_proxy(o, str(v, "proxy")) end)
option("proxyFromEnvironment", "ws_options_set_proxy_from_environment", function(o, v)
  return core.ws_options_set_proxy_from_environment(o, bool(v, "proxyFromEnvironment")) end)
option("headers", "ws_options_add_header", function(o, v)
  return each_header(v, function(name, value) return core.ws_options_add_header(o, name, value) end) end)
option("userAgent", "ws_options_set_user_agent", function(o, v)
  return core.ws_options_set_user_agent(o, str(v, "userAgent")) end)
option("reconnect", "ws_options_set_reconnect", function(o, v)
  if type(v) ~= "table" then argerror(3, "new", "option reconnect must be a table", 4) end
  return core.ws_options_set_reconnect(o, seconds_to_ms(v.initialDelay or 1, "reconnect.initialDelay"),
    seconds_to_ms(v.maxDelay or 30, "reconnect.maxDelay"), bytes(v.maxAttempts or 0, "reconnect.maxAttempts")) end)
OPTIONS.binaryType = false -- handled by new()

local function make_options(options)
  if options == nil then return nil end
  if type(options) ~= "table" then argerror(3, "new", "table expected, got " .. type(options), 3) end
  local o
  for k, v in pairs(options) do
    local set = OPTIONS[k]
    if set == nil then argerror(3, "new", "unknown option '" .. tostring(k) .. "'", 3) end
    if set then
      if not o then
        local rc
        rc, o = core.ws_options_new()
        if rc ~= core.WS_OK then error("polyws.new: " .. core.ws_result_str(rc), 3) end
      end
      local ok, rc = pcall(set, o, v)
      if not ok or rc ~= core.WS_OK then
        core.ws_options_free(o)
        if not ok then error(rc, 0) end
        argerror(3, "new", "option " .. k .. ": " .. core.ws_last_error(nil), 3)
      end
    end
  end
  return o
end

local function new_socket(url, protocols, options)
  if type(url) ~= "string" then
    if type(url) == "number" then url = tostring(url) else
      argerror(1, "new", "string expected, got " .. type(url), 3)
    end
  end
  local plist, perr = check_protocols(protocols)
  local binaryType = "blob"
  if type(options) == "table" and options.binaryType ~= nil then
    binaryType = options.binaryType
    if binaryType ~= "blob" and binaryType ~= "arraybuffer" then
      argerror(3, "new", "binaryType must be \"blob\" or \"arraybuffer\"", 3)
    end
  end
  local opts = make_options(options)
  if url:find("\0", 1, true) then
    core.ws_options_free(opts)
    return nil, "SyntaxError: the URL contains a NUL byte", "SyntaxError"
  end
  if plist == false then
    core.ws_options_free(opts)
    return nil, perr, "SyntaxError"
  end
  local _ = loop_guard -- keeps the loop handle alive as long as this function
  local rc, h = core.ws_new_ex(loop, url, plist, opts)
  core.ws_options_free(opts)
  if rc ~= core.WS_OK then return failure(rc, core.ws_last_error(nil)) end

  next_id = next_id + 1
  local id = next_id
  core.ws_set_user_data(h, id)
  if binaryType ~= "blob" then core.ws_set_binary_type(h, core.WS_BINARY_ARRAYBUFFER) end
  local st = {
    id = id, h = h, url = core.ws_url(h), binaryType = binaryType,
    listeners = {}, attrs = {},
  }
  -- Collected (no reference left, not pinned): free the native socket.
  -- The finalizer holds st, never the socket table.
  st.guard = finalizer(function()
    local hh = st.h
    if hh then st.h = nil; ws_free(hh) end
  end)
  local ws = setmetatable({ [PRIV] = st }, SocketMT)
  by_id[id] = ws
  return ws
end

--- new WebSocket(url, protocols): a socket in CONNECTING, or
-- nil, message, name ("SyntaxError") for the constructor's errors.
-- @param url string (ws:, wss:, http:, https:)
-- @param protocols nil, a string or an array of strings
-- @param options nil or a table: maxMessageSize, sendBufferLimit (bytes),
--   connectTimeout, closeTimeout, pingInterval, pongTimeout (seconds),
--   binaryType ("blob" or "arraybuffer")
function M.new(url, protocols, options)
  return new_socket(url, protocols, options)
end

-- ---- fields --------------------------------------------------------------

local GETTERS = {
  readyState = function(st) local h = st.h; return h and ws_ready_state(h) or 3 end,
  url = function(st) return st.url end,
  protocol = function(st) local h = st.h; if h then return core.ws_protocol(h) end return st.protocol end,
  extensions = function(st) local h = st.h; if h then return core.ws_extensions(h) end return st.extensions end,
  bufferedAmount = function(st) local h = st.h; if h then return core.ws_buffered_amount(h) end return st.buffered end,
  binaryType = function(st) return st.binaryType end,
  onopen = function(st) local e = st.attrs.open; return e and e.fn end,
  onmessage = function(st) local e = st.attrs.message; return e and e.fn end,
  onerror = function(st) local e = st.attrs.error; return e and e.fn end,
  onclose = function(st) local e = st.attrs.close; return e and e.fn end,
  CONNECTING = function() return 0 end,
  OPEN = function() return 1 end,
  CLOSING = function() return 2 end,
  CLOSED = function() return 3 end,
}

function SocketMT.__index(ws, k)
  local m = Socket[k]
  if m then return m end
  local g = GETTERS[k]
  if g then return g(rawget(ws, PRIV)) end
  return nil
end

-- Replace a listener list (copy on write: a dispatch in progress keeps
-- iterating the list it started with).
local function set_list(st, t, list)
  st.listeners[t] = list[1] ~= nil and list or nil
end

local function set_attr(ws, st, t, fn)
  local call = fn ~= nil and invoker(fn)
  if fn ~= nil and (not call or type(fn) == "table" and call ~= fn) then
    error("polyws: on" .. t .. " must be a function or nil", 3)
  end
  local entry = st.attrs[t]
  if entry then
    if fn ~= nil then
      entry.fn, entry.call = fn, call -- keeps its position, as in a browser
      return
    end
    entry.removed = true
    st.attrs[t] = nil
    local old, list = st.listeners[t] or {}, {}
    for i = 1, #old do if old[i] ~= entry then list[#list + 1] = old[i] end end
    set_list(st, t, list)
  elseif fn ~= nil then
    entry = { fn = fn, call = call, attr = true }
    st.attrs[t] = entry
    local old, list = st.listeners[t] or {}, {}
    for i = 1, #old do list[i] = old[i] end
    list[#list + 1] = entry
    set_list(st, t, list)
  end
  update_pin(ws, st)
end

local READONLY = { readyState = true, url = true, protocol = true, extensions = true,
  bufferedAmount = true, CONNECTING = true, OPEN = true, CLOSING = true, CLOSED = true }

function SocketMT.__newindex(ws, k, v)
  local st = rawget(ws, PRIV)
  if k == "onopen" then set_attr(ws, st, "open", v)
  elseif k == "onmessage" then set_attr(ws, st, "message", v)
  elseif k == "onerror" then set_attr(ws, st, "error", v)
  elseif k == "onclose" then set_attr(ws, st, "close", v)
  elseif k == "binaryType" then
    -- As in a browser, a value that is not one of the two is ignored.
    if v == "blob" or v == "arraybuffer" then
      st.binaryType = v
      if st.h then
        core.ws_set_binary_type(st.h, v == "blob" and core.WS_BINARY_BLOB or core.WS_BINARY_ARRAYBUFFER)
      end
    end
  elseif READONLY[k] or Socket[k] then
    error("polyws: WebSocket." .. tostring(k) .. " is read-only", 2)
  else
    rawset(ws, k, v)
  end
end

function SocketMT.__tostring(ws)
  local st = rawget(ws, PRIV)
  local names = { [0] = "CONNECTING", "OPEN", "CLOSING", "CLOSED" }
  return ("polyws.WebSocket(%s, %s)"):format(st.url, names[GETTERS.readyState(st)])
end

-- Lua 5.4: `local ws <close> = polyws.new(...)` frees the socket when the
-- scope ends (an open connection is closed with 1001, no event follows).
function SocketMT.__close(ws)
  release(ws, rawget(ws, PRIV))
end

-- ---- methods -------------------------------------------------------------

--- send(data[, binary]): text (valid UTF-8) by default; binary when the
-- second argument is true or "binary". Every byte of a Lua string is sent.
-- @return true, or nil, message, name (InvalidStateError while CONNECTING,
--   InvalidUTF8Error, BufferFullError)
function Socket:send(data, binary)
  local st = priv(self, "send")
  local t = type(data)
  if t ~= "string" then
    if t == "number" then data = tostring(data) else
      argerror(1, "send", "string expected, got " .. t)
    end
  end
  local as_binary
  if binary == nil or binary == false or binary == "text" then as_binary = false
  elseif binary == true or binary == "binary" then as_binary = true
  else argerror(2, "send", "true, false, \"binary\" or \"text\" expected") end
  local h = st.h
  if not h then
    -- Freed: as CLOSED, the data is discarded but counted.
    st.buffered = st.buffered + #data
    return true
  end
  local rc
  if as_binary then rc = ws_send_binary(h, data) else rc = ws_send_text(h, data) end
  if rc ~= 0 then return failure(rc, core.ws_last_error(h)) end
  return true
end

-- WebIDL [Clamp] unsigned short: round half to even, clamp to 0..65535.
local function clamp_code(c)
  if c ~= c then return 0 end
  if c <= 0 then return 0 end
  if c >= 65535 then return 65535 end
  local f = floor(c)
  local d = c - f
  if d > 0.5 or (d == 0.5 and f % 2 == 1) then f = f + 1 end
  return f
end

--- close([code[, reason]]): code 1000 or 3000-4999, reason at most 123
-- bytes of UTF-8.
-- @return true, or nil, message, name (InvalidAccessError for the code,
--   SyntaxError for a reason too long, InvalidUTF8Error)
function Socket:close(code, reason)
  local st = priv(self, "close")
  local c = 0
  if code ~= nil then
    if type(code) ~= "number" then argerror(1, "close", "number expected, got " .. type(code)) end
    c = clamp_code(code)
    if c ~= 1000 and (c < 3000 or c > 4999) then
      return nil, "InvalidAccessError: close code " .. tostring(code) ..
        " is neither 1000 nor in 3000-4999", "InvalidAccessError"
    end
  end
  if reason ~= nil then
    local t = type(reason)
    if t == "number" then reason = tostring(reason)
    elseif t ~= "string" then argerror(2, "close", "string expected, got " .. t) end
    if reason:find("\0", 1, true) and #reason <= 123 then
      return nil, "SyntaxError: the close reason contains a NUL byte, which polyws cannot send",
        "SyntaxError"
    end
  end
  local h = st.h
  if not h then return true end
  local rc = core.ws_close(h, c, reason)
  if rc ~= 0 then return failure(rc, core.ws_last_error(h)) end
  -- close() stops automatic reconnects. Between a close event that said
  -- willReconnect and the reconnect event, the library then sends nothing
  -- more: the last close event becomes the final one here.
  st.closeCalled = true
  if st.reconnecting then
    st.reconnecting = nil
    st.lastClose.willReconnect = false
    st.closeEvent = st.lastClose
    wake(st)
  end
  update_pin(self, st)
  return true
end

--- The server's handshake response header `name` (any case), or nil (also
-- before open). Repeated fields are joined with ", ".
function Socket:responseHeader(name)
  local st = priv(self, "responseHeader")
  if type(name) ~= "string" then argerror(1, "responseHeader", "string expected, got " .. type(name)) end
  if not st.h or not core.ws_response_header then return nil end
  return core.ws_response_header(st.h, name)
end

--- Every response header as a table of lowercased name -> value.
function Socket:responseHeaders()
  local st = priv(self, "responseHeaders")
  local t = {}
  if not st.h or not core.ws_response_header_at then return t end
  for i = 0, core.ws_response_header_count(st.h) - 1 do
    local ok, name, value = core.ws_response_header_at(st.h, i)
    if ok then t[name] = value end
  end
  return t
end

local function check_type(t, fname)
  if type(t) ~= "string" then argerror(1, fname, "string expected, got " .. type(t), 3) end
end

--- addEventListener(type, listener): listener is a function(event), or a
-- table with a handleEvent(self, event) method. Adding the same one twice
-- for a type has no effect.
function Socket:addEventListener(t, fn)
  local st = priv(self, "addEventListener")
  check_type(t, "addEventListener")
  if fn == nil then return end
  local call = invoker(fn)
  if not call then argerror(2, "addEventListener", "function expected, got " .. type(fn)) end
  local old = st.listeners[t] or {}
  local list = {}
  for i = 1, #old do
    local e = old[i]
    if not e.attr and e.fn == fn then return end
    list[i] = e
  end
  list[#list + 1] = { fn = fn, call = call }
  set_list(st, t, list)
  update_pin(self, st)
end

--- removeEventListener(type, listener): no effect if it was not added.
function Socket:removeEventListener(t, fn)
  local st = priv(self, "removeEventListener")
  check_type(t, "removeEventListener")
  local old = st.listeners[t]
  if not old or fn == nil then return end
  local list, found = {}, false
  for i = 1, #old do
    local e = old[i]
    if not found and not e.attr and e.fn == fn then
      e.removed = true -- a dispatch in progress skips it
      found = true
    else
      list[#list + 1] = e
    end
  end
  if found then
    set_list(st, t, list)
    update_pin(self, st)
  end
end

-- ---------------------------------------------------------------------------
-- Dispatch
-- ---------------------------------------------------------------------------

local function default_report(message, event)
  local where = event and event.type and (" in " .. event.type .. " listener") or " in task"
  io.stderr:write("polyws: error", where, ": ", tostring(message), "\n")
end

--- Called with (message, event) when a listener or a task raises an error
-- (event is nil for tasks). The default writes to io.stderr. Replace it to
-- log elsewhere; dispatch goes on either way.
M.reportError = default_report

local function report(message, event)
  local ok = pcall(M.reportError, message, event)
  if not ok then pcall(default_report, message, event) end
end

local function fire(st, t, ev)
  local list = st.listeners[t]
  if not list then return end
  for i = 1, #list do
    local e = list[i]
    if not e.removed then
      local ok, err = protected_call(e.call, ev)
      if not ok then report(err, ev) end
    end
  end
end

local OPEN_T, MESSAGE_T, ERROR_T, CLOSE_T =
  core.WS_EVENT_OPEN, core.WS_EVENT_MESSAGE, core.WS_EVENT_ERROR, core.WS_EVENT_CLOSE
local RECONNECT_T = core.WS_EVENT_RECONNECT or -1 -- automatic reconnect, when the library has it
local ws_event_will_reconnect = core.ws_event_will_reconnect

local function handle(ev)
  local ws = by_id[ws_event_user_data(ev)]
  if not ws then return end -- collected
  local st = rawget(ws, PRIV)
  if not st.h then return end -- freed
  local t = ws_event_type(ev)
  if t == MESSAGE_T then
    local e = { type = "message", target = ws, data = ws_event_data(ev), binary = ws_event_is_binary(ev) }
    fire(st, "message", e)
    local q = st.queue
    if q then
      q.last = q.last + 1
      q[q.last] = e
    end
  elseif t == OPEN_T then
    st.opened = true
    fire(st, "open", { type = "open", target = ws })
    update_pin(ws, st)
  elseif t == ERROR_T then
    local e = { type = "error", target = ws, message = core.ws_event_error_message(ev) }
    st.errorMessage = e.message
    fire(st, "error", e)
    update_pin(ws, st)
  elseif t == CLOSE_T then
    local e = { type = "close", target = ws, code = core.ws_event_code(ev),
                reason = core.ws_event_reason(ev), wasClean = core.ws_event_was_clean(ev) }
    if ws_event_will_reconnect then
      -- after close() no reconnect comes, even if the connection had
      -- already dropped when close() was called
      e.willReconnect = ws_event_will_reconnect(ev) and not st.closeCalled
      e.unsentMessages = core.ws_event_unsent_messages(ev)
      e.unsentBytes = core.ws_event_unsent_bytes(ev)
    end
    if e.willReconnect then
      st.reconnecting, st.lastClose = true, e -- not the end: a reconnect event follows
    else
      st.closeEvent = e
    end
    fire(st, "close", e)
    update_pin(ws, st)
  elseif t == RECONNECT_T then
    st.reconnecting, st.opened, st.errorMessage = nil, nil, nil
    fire(st, "reconnect", { type = "reconnect", target = ws })
    update_pin(ws, st)
  end
  if st.waiters then wake(st) end
end

-- ---- tasks (coroutines driven by dispatch) -------------------------------

local tasks = setmetatable({}, { __mode = "k" }) -- coroutine -> record
local live_tasks = {}                            -- record -> coroutine (strong)
local sleepers = {}                              -- wait records with a deadline
local dispatching = false

local function resume(co, ...)
  local rec = tasks[co]
  if not rec then return end
  local res = pack(coresume(co, ...))
  if not res[1] then
    rec.done, rec.error = true, traceback(co, tostring(res[2]))
    live_tasks[rec] = nil
    if not rec.joined then report(rec.error, nil) end
  elseif costatus(co) == "dead" then
    rec.done, rec.results = true, res
    live_tasks[rec] = nil
  elseif res[2] ~= rec.token then
    -- A plain coroutine.yield() inside a task: run it again on the next dispatch.
    local w = { co = co, deadline = now(), active = true }
    sleepers[#sleepers + 1] = w
  end
end

local function run_ready()
  while ready_q[1] ~= nil do
    local q = ready_q
    ready_q = {}
    for i = 1, #q do resume(q[i]) end
  end
end

local function run_timers()
  if sleepers[1] == nil then return end
  local t = now()
  local keep = {}
  for i = 1, #sleepers do
    local w = sleepers[i]
    if w.active then
      if w.deadline <= t then
        w.active = false
        ready_q[#ready_q + 1] = w.co
      else
        keep[#keep + 1] = w
      end
    end
  end
  sleepers = keep
  run_ready()
end

--- Seconds until a sleeping task is due (0 when one is ready), or nil when
-- no task waits on a deadline. Hosts with their own loop arm a timer with it.
function M.timeout()
  if ready_q[1] ~= nil then return 0 end
  local due
  for i = 1, #sleepers do
    local w = sleepers[i]
    if w.active and (not due or w.deadline < due) then due = w.deadline end
  end
  if not due then return nil end
  local left = due - now()
  return left > 0 and left or 0
end

local function current_task()
  local co = corunning()
  if co and tasks[co] then return co, tasks[co] end
  return nil
end

-- Suspend the current task until an event of the socket `st` (if given) or
-- the deadline (if given).
local function suspend(co, rec, st, deadline)
  local w = { co = co, active = true, deadline = deadline }
  if st then
    local list = st.waiters
    if not list then list = {}; st.waiters = list end
    list[#list + 1] = w
  end
  if deadline then sleepers[#sleepers + 1] = w end
  coyield(rec.token)
  w.active = false
end

local function drain(ms, max)
  local n, _ = 0, loop_guard
  local rc, ev = ws_loop_next_event(loop, ms)
  while ev do
    n = n + 1
    handle(ev)
    if ready_q[1] ~= nil then run_ready() end
    if max and n >= max then break end
    rc, ev = ws_loop_next_event(loop, 0)
  end
  if rc ~= 0 then error("polyws.dispatch: " .. core.ws_result_str(rc), 0) end
  run_timers()
  return n
end

--- Run pending events on this thread: waits up to `timeout` seconds for the
-- first (nil or 0: do not wait; negative or math.huge: until one arrives,
-- or until a task's deadline), then runs everything queued, at most `max`
-- events when given. Listeners run here; so do tasks whose wait is over.
-- @return the number of events run
function M.dispatch(timeout, max)
  if dispatching then
    error("polyws.dispatch: called from a listener or a task (dispatch does not nest)", 2)
  end
  local ms = 0
  if timeout ~= nil then
    if type(timeout) ~= "number" or timeout ~= timeout then argerror(1, "dispatch", "number expected") end
    if timeout < 0 or timeout == huge then ms = -1
    else ms = floor(timeout * 1000 + 0.999999) end
    if ms > 2147483647 then ms = -1 end
  end
  if max ~= nil and (type(max) ~= "number" or max < 1) then argerror(2, "dispatch", "positive number expected") end
  local due = M.timeout()
  if due then
    local dms = floor(due * 1000 + 0.999999)
    if ms < 0 or dms < ms then ms = dms end
  end
  dispatching = true
  local ok, n = pcall(drain, ms, max)
  dispatching = false
  if not ok then error(n, 0) end
  return n
end

--- Module settings, before the first socket: polyws.configure{ hostDriven = true }
-- gives the module a host-driven loop (WS_DELIVERY_HOST_DRIVEN): no library
-- I/O thread, polyws.dispatch() does the network I/O itself on the Lua
-- thread, and sends go to the kernel within ws:send(). Faster for a Lua
-- host, which sends and receives on its one thread; but nothing moves
-- (connecting, reading, pings, the closing handshake) outside
-- polyws.dispatch(), and polyws.fd() is -1. Raises once a socket exists.
-- @return the settings now in force, { hostDriven = bool }
function M.configure(settings)
  if settings ~= nil then
    if type(settings) ~= "table" then argerror(1, "configure", "table expected, got " .. type(settings)) end
    for k, v in pairs(settings) do
      if k ~= "hostDriven" then argerror(1, "configure", "unknown setting '" .. tostring(k) .. "'") end
      if type(v) ~= "boolean" then argerror(1, "configure", "hostDriven must be a boolean") end
    end
    local want = settings.hostDriven
    if want ~= nil and want ~= host_driven then
      if next_id ~= 0 then
        error("polyws.configure: the loop is chosen before the first socket (polyws.new was already called)", 2)
      end
      local _ = loop_guard
      local l = new_loop(want and core.WS_DELIVERY_HOST_DRIVEN or core.WS_DELIVERY_DISPATCH, 2)
      core.ws_loop_free(loop) -- no socket was ever created on it
      loop, host_driven = l, want
    end
  end
  return { hostDriven = host_driven }
end

--- The loop's file descriptor: readable while events wait. Poll it for
-- reading in the host's own loop (luv, cqueues, copas, a game loop), then
-- call polyws.dispatch(0). Do not read from it or close it. -1 with
-- configure{ hostDriven = true }: call polyws.dispatch(0) once per frame or
-- tick instead (polyws.timeout() says when a task is due).
function M.fd()
  local _ = loop_guard
  return core.ws_loop_fd(loop)
end

--- Start fn(...) as a task: a coroutine whose polyws waits (polyws.connect,
-- ws:receive, ws:wait, polyws.sleep) yield to dispatch instead of blocking.
-- It runs at once, up to its first wait. Errors are reported
-- (polyws.reportError). @return the coroutine
function M.spawn(fn, ...)
  if type(fn) ~= "function" then argerror(1, "spawn", "function expected, got " .. type(fn)) end
  local co = cocreate(fn)
  local rec = { token = {} }
  tasks[co] = rec
  live_tasks[rec] = co
  resume(co, ...)
  return co
end

--- Run fn(...) as a task and dispatch until it ends (other tasks and
-- listeners run meanwhile). Returns what fn returns; raises its error.
function M.run(fn, ...)
  if dispatching then error("polyws.run: called from a listener or a task", 2) end
  if type(fn) ~= "function" then argerror(1, "run", "function expected, got " .. type(fn)) end
  local co = cocreate(fn)
  local rec = { token = {}, joined = true }
  tasks[co] = rec
  live_tasks[rec] = co
  resume(co, ...)
  while not rec.done do M.dispatch(-1) end
  if rec.error then error(rec.error, 0) end
  return unpack(rec.results, 2, rec.results.n)
end

-- Wait until cond(st) holds or `timeout` seconds pass: in a task by
-- yielding, elsewhere by dispatching. @return whether cond holds
local function await(st, cond, timeout, what)
  if cond(st) then return true end
  local deadline
  if timeout ~= nil then
    if type(timeout) ~= "number" then argerror(1, what, "number of seconds expected", 3) end
    if timeout >= 0 and timeout < huge then deadline = now() + timeout end
  end
  local co, rec = current_task()
  if co then
    while true do
      suspend(co, rec, st, deadline)
      if cond(st) then return true end
      if deadline and now() >= deadline then return false end
    end
  end
  if dispatching then
    error("polyws: " .. what .. " would block inside a listener; use a task (polyws.spawn)", 3)
  end
  while true do
    local left = -1
    if deadline then
      left = deadline - now()
      if left <= 0 then return cond(st) end
    end
    M.dispatch(left)
    if cond(st) then return true end
  end
end

local function never() return false end

--- Wait `seconds`: a task yields, other code dispatches meanwhile.
function M.sleep(seconds)
  if type(seconds) ~= "number" then argerror(1, "sleep", "number expected") end
  await(nil, never, seconds, "sleep")
end

local function new_queue() return { first = 1, last = 0 } end

local function finished(st) return st.closeEvent ~= nil or st.h == nil end

local function message_or_end(st)
  local q = st.queue
  return q.first <= q.last or finished(st)
end

--- Blocking-style receive: the next message as data, binary; or nil,
-- "timeout"; or nil, "closed", closeEvent once the socket is closed and
-- every message was taken. Messages are queued for receive() from the
-- first call on (from the start with polyws.connect).
function Socket:receive(timeout)
  local st = priv(self, "receive")
  if not st.queue then st.queue = new_queue() end
  await(st, message_or_end, timeout, "receive")
  local q = st.queue
  if q.first <= q.last then
    local e = q[q.first]
    q[q.first] = nil
    q.first = q.first + 1
    return e.data, e.binary
  end
  if finished(st) then return nil, "closed", st.closeEvent end
  return nil, "timeout"
end

local function opened_or_end(st) return st.opened or finished(st) end

--- Blocking-style wait for a state: ws:wait("open") returns true once open,
-- or nil, message, closeEvent when the connection failed or closed first;
-- ws:wait("close") returns the close event. Either gives nil, "timeout".
function Socket:wait(what, timeout)
  local st = priv(self, "wait")
  if what == "open" then
    await(st, opened_or_end, timeout, "wait")
    if st.opened then return true end
    if finished(st) then
      local msg = st.errorMessage
      if not msg or msg == "" then msg = "closed" end
      return nil, msg, st.closeEvent
    end
    return nil, "timeout"
  elseif what == "close" then
    if not await(st, finished, timeout, "wait") then return nil, "timeout" end
    return st.closeEvent or { type = "close", target = self, code = 1006, reason = "", wasClean = false }
  end
  argerror(1, "wait", "\"open\" or \"close\" expected")
end

--- polyws.new, then wait for open (yielding in a task, dispatching
-- elsewhere). Messages are queued for ws:receive() from the start.
-- @return the open socket, or nil, message, detail (the error name for
--   constructor errors, the close event when the connection failed)
function M.connect(url, protocols, options)
  local ws, err, name = new_socket(url, protocols, options)
  if not ws then return nil, err, name end
  rawget(ws, PRIV).queue = new_queue()
  local ok, msg, ev = ws:wait("open")
  if not ok then return nil, msg, ev end
  return ws
end

return M
