--- polyws.listeners: each socket's listeners (addEventListener and the
-- on<event> attributes, in the browser's order) and firing an event at them.

local compat = require "polyws.compat"
local errors = require "polyws.errors"
local handle = require "polyws.handle"

local error, getmetatable, type = error, getmetatable, type
local argerror, report = errors.argerror, errors.report
local priv, update_pin = handle.priv, handle.update_pin
local protected_call = compat.protected_call

local Lst = {}

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

-- Replace a listener list (copy on write: a dispatch in progress keeps
-- iterating the list it started with).
local function set_list(st, t, list)
  st.listeners[t] = list[1] ~= nil and list or nil
end

-- ws.on<t> = fn
function Lst.set_attr(ws, st, t, fn)
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

-- ws.on<t>
function Lst.get_attr(st, t)
  local e = st.attrs[t]
  return e and e.fn
end

local function check_type(t, fname)
  if type(t) ~= "string" then argerror(1, fname, "string expected, got " .. type(t), 3) end
end

--- addEventListener(type, listener): listener is a function(event), or a
-- table with a handleEvent(self, event) method. Adding the same one twice
-- for a type has no effect.
function Lst.addEventListener(self, t, fn)
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
function Lst.removeEventListener(self, t, fn)
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

-- Run the listeners of type `t` with event `ev`; an error in one is
-- reported (polyws.reportError) and the next one runs.
function Lst.fire(st, t, ev)
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

return Lst
