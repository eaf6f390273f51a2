--- polyws.handle: each socket's native handle and private state, the
-- registry that maps event user data back to sockets, and the browser's
-- rule for which sockets the GC may not collect.

local core = require "polyws_core"
local compat = require "polyws.compat"
local errors = require "polyws.errors"
local loop = require "polyws.loop"
local tasks = require "polyws.tasks"

local rawget, setmetatable, type = rawget, setmetatable, type
local ws_free, ws_ready_state = core.ws_free, core.ws_ready_state
local argerror, failure = errors.argerror, errors.failure

local N = {}

-- The key of each socket's private state (st) in its table:
-- st: { id, h (the native handle, nil once freed), url, protocol, extensions,
--       buffered (after free), binaryType, listeners = { type -> array },
--       attrs = { type -> entry }, inbox, holds, opened, errorMessage,
--       closeFired (a close event ran since the last connection attempt),
--       closeEvent, reconnecting, lastClose, closeCalled, waiters, guard }
local PRIV = {}
N.PRIV = PRIV

local by_id = setmetatable({}, { __mode = "v" }) -- id -> socket, every live one
local pinned = {}                                -- id -> socket kept alive
local next_id = 0

-- The private state of socket `ws`; raises for anything else.
function N.priv(ws, fname)
  local st = type(ws) == "table" and rawget(ws, PRIV)
  if not st then argerror(1, fname or "?", "polyws.WebSocket expected", 3) end
  return st
end

-- id (the native socket's user data) -> its socket table, nil once it
-- was collected.
N.by_id = by_id

local function has_listeners(st, t)
  local l = st.listeners[t]
  return l ~= nil and l[1] ~= nil
end

-- Browser rule: a socket that can still fire an event somebody listens to
-- is not garbage: CONNECTING with any listener, OPEN with message, error or
-- close listeners, CLOSING with error or close listeners. Anything else is
-- only weakly held and closed (ws_free) when the GC collects it.
function N.update_pin(ws, st)
  local keep = false
  local h = st.h
  if h then
    local s = ws_ready_state(h)
    if st.reconnecting then
      s = 0 -- a reconnect is coming: as CONNECTING
    elseif s == 3 and not st.closeFired then
      s = 2 -- CLOSED underneath, but its close event is still to come: as CLOSING
    end
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

-- Frees the native socket now (state CLOSED from then on; url, protocol,
-- extensions and bufferedAmount keep their last values).
function N.release(ws, st)
  local h = st.h
  if h then
    st.protocol = core.ws_protocol(h)
    st.extensions = core.ws_extensions(h)
    st.buffered = core.ws_buffered_amount(h)
    st.h = nil
    ws_free(h)
  end
  pinned[st.id] = nil
  tasks.wake(st)
end

-- A native socket on the module's loop (`opts`, a ws_options handle or nil,
-- is freed here), as a table with metatable `mt`; or nil, message, name.
function N.open(url, plist, opts, binaryType, mt)
  local rc, h = core.ws_new_ex(loop.handle, url, plist, opts)
  core.ws_options_free(opts)
  if rc ~= core.WS_OK then return failure(rc, core.ws_last_error(nil)) end

  loop.in_use = true
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
  st.guard = compat.finalizer(function()
    local hh = st.h
    if hh then st.h = nil; ws_free(hh) end
  end)
  local ws = setmetatable({ [PRIV] = st }, mt)
  by_id[id] = ws
  return ws
end

return N
