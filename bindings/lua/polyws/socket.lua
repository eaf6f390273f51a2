--- polyws.socket: the WebSocket object: constructor, fields, send, close,
-- response headers; listeners (polyws.listeners) and the blocking-style
-- receive/wait (polyws.async) are its methods too.

local core = require "polyws_core"
local async = require "polyws.async"
local errors = require "polyws.errors"
local flow = require "polyws.flow"
local handle = require "polyws.handle"
local listeners = require "polyws.listeners"
local settings = require "polyws.settings"
local tasks = require "polyws.tasks"

local error, rawget, rawset, tostring, type = error, rawget, rawset, tostring, type
local floor = math.floor
local ws_ready_state, ws_send_text, ws_send_binary =
      core.ws_ready_state, core.ws_send_text, core.ws_send_binary
local argerror, failure = errors.argerror, errors.failure
local PRIV, priv, release, update_pin = handle.PRIV, handle.priv, handle.release, handle.update_pin
local set_attr, get_attr = listeners.set_attr, listeners.get_attr

local Socket = {       -- methods
  addEventListener = listeners.addEventListener,
  removeEventListener = listeners.removeEventListener,
  receive = async.receive,
  wait = async.wait,
}
local SocketMT = { __name = "polyws.WebSocket", __metatable = "polyws.WebSocket" }

local W = {}

--- new WebSocket(url, protocols, options): see polyws.new.
function W.new(url, protocols, options)
  if type(url) ~= "string" then
    if type(url) == "number" then url = tostring(url) else
      argerror(1, "new", "string expected, got " .. type(url), 3)
    end
  end
  local plist, perr = settings.check_protocols(protocols)
  local binaryType = "blob"
  if type(options) == "table" and options.binaryType ~= nil then
    binaryType = options.binaryType
    if binaryType ~= "blob" and binaryType ~= "arraybuffer" then
      argerror(3, "new", "binaryType must be \"blob\" or \"arraybuffer\"", 3)
    end
  end
  local opts = settings.make_options(options)
  if url:find("\0", 1, true) then
    core.ws_options_free(opts)
    return nil, "SyntaxError: the URL contains a NUL byte", "SyntaxError"
  end
  if plist == false then
    core.ws_options_free(opts)
    return nil, perr, "SyntaxError"
  end
  return handle.open(url, plist, opts, binaryType, SocketMT)
end

-- ---- fields --------------------------------------------------------------

local GETTERS = {
  readyState = function(st) local h = st.h; return h and ws_ready_state(h) or 3 end,
  url = function(st) return st.url end,
  protocol = function(st) local h = st.h; if h then return core.ws_protocol(h) end return st.protocol end,
  extensions = function(st) local h = st.h; if h then return core.ws_extensions(h) end return st.extensions end,
  bufferedAmount = function(st) local h = st.h; if h then return core.ws_buffered_amount(h) end return st.buffered end,
  undeliveredAmount = function(st) local h = st.h; return h and core.ws_undelivered_amount(h) or 0 end,
  paused = function(st) return flow.paused(st) end,
  binaryType = function(st) return st.binaryType end,
  onopen = function(st) return get_attr(st, "open") end,
  onmessage = function(st) return get_attr(st, "message") end,
  onerror = function(st) return get_attr(st, "error") end,
  onclose = function(st) return get_attr(st, "close") end,
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

local READONLY = { readyState = true, url = true, protocol = true, extensions = true,
  bufferedAmount = true, undeliveredAmount = true, paused = true, CONNECTING = true, OPEN = true, CLOSING = true, CLOSED = true }

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
    tasks.wake(st)
  end
  update_pin(self, st)
  return true
end

--- pause(): hold this socket's events (messages, and open, error and close
-- behind them, in order) until resume(); other sockets go on. Held
-- messages count against the receive limit (option receiveLimit), so the
-- loop soon stops reading this socket and the server's writes block: a
-- script that consumes at its own pace pushes back with it.
-- @return true
function Socket:pause()
  flow.hold(priv(self, "pause"), "script")
  return true
end

--- resume(): deliver the held events, in order, then new ones as they come
-- (unless receive()'s buffer is full: see ws:receive).
-- @return true
function Socket:resume()
  flow.release(priv(self, "resume"), "script")
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

return W
