// Growing a message buffer without overshooting its limit.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

namespace polyws {

// Makes room for `needed` bytes in `buffer`, doubling as usual but never
// reserving more than `limit` (the maximum message size) unless `needed`
// itself is larger. std::string::reserve rounds any request below twice the
// current capacity up to twice it, so a message assembled from many
// fragments or inflated piece by piece would otherwise end with up to twice
// the limit reserved.
inline void grow_within_limit(std::string &buffer, size_t needed, uint64_t limit) {
    if (needed <= buffer.capacity()) return;
    size_t doubled = buffer.capacity() * 2;
    size_t capped = limit < doubled ? size_t(limit) : doubled;
    size_t target = std::max(needed, capped);
    if (target >= doubled) {
        buffer.reserve(target);   // exact: at least twice the old capacity
        return;
    }
    std::string bigger;
    bigger.reserve(target);       // exact from an empty string
    bigger.append(buffer);
    buffer.swap(bigger);
}

} // namespace polyws
