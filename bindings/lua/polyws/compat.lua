--- polyws.compat: what differs between Lua 5.1, LuaJIT and 5.2+ (finalizers,
-- pcall with arguments, unpack), and the protected call that runs a
-- listener with a traceback cut at polyws's own frames.

local getmetatable, rawget, select, setmetatable, tostring, xpcall =
      getmetatable, rawget, select, setmetatable, tostring, xpcall
local traceback = debug.traceback

local C = {}

C.unpack = table.unpack or unpack

-- An object whose collection runs fn(). Lua 5.1 and LuaJIT only finalize
-- userdata (newproxy); 5.2+ finalize tables.
local newproxy = rawget(_G, "newproxy")
function C.finalizer(fn)
  if newproxy then
    local p = newproxy(true)
    getmetatable(p).__gc = fn
    return p
  end
  return setmetatable({}, { __gc = fn })
end

function C.pack(...) return { n = select("#", ...), ... } end

-- Is this traceback line one of polyws's own frames (polyws.lua or one of
-- its polyws/*.lua modules)?
local function own_frame(line)
  return line:find("polyws%.lua:%d+:") or line:find("polyws/[%w_]+%.lua:%d+:")
end

-- The error with the listener's part of the stack (down to where polyws
-- called it).
local function handler(msg)
  local lines = {}
  for line in traceback(tostring(msg), 2):gmatch("[^\n]+") do
    if own_frame(line) or line:find("'xpcall'") or line:find("'protected_call'") then break end
    lines[#lines + 1] = line
  end
  return table.concat(lines, "\n")
end

-- protected_call(fn, arg) -> ok, err
if _VERSION == "Lua 5.1" and not rawget(_G, "jit") then
  C.protected_call = function(fn, arg)
    return xpcall(function() return fn(arg) end, handler)
  end
else
  C.protected_call = function(fn, arg) return xpcall(fn, handler, arg) end
end

return C
