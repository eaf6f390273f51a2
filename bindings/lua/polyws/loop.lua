--- polyws.loop: the one event loop this module owns per Lua state, and the
-- settings that choose its kind (polyws.configure) before the first socket.

local core = require "polyws_core"
local compat = require "polyws.compat"
local errors = require "polyws.errors"

local error, pairs, tostring, type = error, pairs, tostring, type
local argerror = errors.argerror

local L = {
  host_driven = false,
  -- Set by the first polyws.new: the loop's kind is fixed from then on.
  in_use = false,
}

local function new_loop(delivery, level)
  local rc, l = core.ws_loop_new(delivery)
  if rc ~= core.WS_OK then
    error("polyws: cannot start an event loop: " .. core.ws_last_error(nil), level + 1)
  end
  return l
end
L.handle = new_loop(core.WS_DELIVERY_DISPATCH, 2)
-- Freed when nothing that uses the loop is left (at the latest when the Lua
-- state closes): every module that passes L.handle to C holds L, and L
-- holds the guard. Sockets still alive keep the native loop running until
-- they are freed too.
L.guard = compat.finalizer(function() core.ws_loop_free(L.handle) end)

--- polyws.configure(settings): see polyws.lua.
function L.configure(settings)
  if settings ~= nil then
    if type(settings) ~= "table" then argerror(1, "configure", "table expected, got " .. type(settings)) end
    for k, v in pairs(settings) do
      if k ~= "hostDriven" then argerror(1, "configure", "unknown setting '" .. tostring(k) .. "'") end
      if type(v) ~= "boolean" then argerror(1, "configure", "hostDriven must be a boolean") end
    end
    local want = settings.hostDriven
    if want ~= nil and want ~= L.host_driven then
      if L.in_use then
        error("polyws.configure: the loop is chosen before the first socket (polyws.new was already called)", 2)
      end
      local l = new_loop(want and core.WS_DELIVERY_HOST_DRIVEN or core.WS_DELIVERY_DISPATCH, 2)
      core.ws_loop_free(L.handle) -- no socket was ever created on it
      L.handle, L.host_driven = l, want
    end
  end
  return { hostDriven = L.host_driven }
end

--- polyws.fd(): see polyws.lua.
function L.fd()
  return core.ws_loop_fd(L.handle)
end

return L
