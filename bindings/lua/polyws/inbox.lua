--- polyws.inbox: the messages a socket holds for ws:receive(), first in
-- first out, and bounded: at BOUND messages the socket's events are held
-- in the loop (polyws.flow) until receive() has taken it down to half.
-- Messages not yet received then wait in the core (up to the receive
-- limit) and in TCP, not here: receive() reads only as fast as it is
-- called.

local flow = require "polyws.flow"

local I = {}

-- Messages held for receive() before the socket is paused: enough to ride
-- over a burst between two receive() calls, few enough to be no buffer.
I.BOUND = 16
local BOUND, LOW = I.BOUND, I.BOUND / 2

function I.new() return { first = 1, last = 0 } end

function I.is_empty(box) return box.first > box.last end

-- Hold message event `e` of socket state `st` for receive().
function I.push(st, e)
  local box = st.inbox
  local last = box.last + 1
  box.last = last
  box[last] = e
  if last - box.first + 1 >= BOUND then flow.hold(st, "receive") end
end

-- The oldest message event of `st`, removed; nil when there is none.
function I.take(st)
  local box = st.inbox
  local first = box.first
  if first > box.last then return nil end
  local e = box[first]
  box[first] = nil
  box.first = first + 1
  if box.last - first <= LOW then flow.release(st, "receive") end
  return e
end

return I
