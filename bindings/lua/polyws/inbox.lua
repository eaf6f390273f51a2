--- polyws.inbox: the messages a socket holds for ws:receive(), first in
-- first out.

local I = {}

function I.new() return { first = 1, last = 0 } end

function I.push(box, e)
  box.last = box.last + 1
  box[box.last] = e
end

function I.is_empty(box) return box.first > box.last end

-- The oldest message event, removed; nil when there is none.
function I.take(box)
  if box.first > box.last then return nil end
  local e = box[box.first]
  box[box.first] = nil
  box.first = box.first + 1
  return e
end

return I
