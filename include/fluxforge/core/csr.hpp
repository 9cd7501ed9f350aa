// Compressed sparse rows by counting sort: the one way the compiler and the scheduler bucket items.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fluxforge::detail {

/// Buckets items by key in O(buckets + items), keeping their order within a bucket: afterwards
/// bucket b holds values[offsets[b] .. offsets[b + 1]).
///
/// `forEachItem(emit)` must call `emit(bucket, value)` once per item, in the same order every time;
/// it is called twice (count, then fill), so it must be free of side effects.
///
/// Thread: any. Real-time safe: no. Allocates: yes.
template <class Value, class ForEachItem>
void countingSortIntoRows(std::size_t numBuckets, ForEachItem&& forEachItem,
                          std::vector<std::uint32_t>& offsets, std::vector<Value>& values) {
    offsets.assign(numBuckets + 1, 0);
    forEachItem([&](std::uint32_t bucket, const Value&) { ++offsets[bucket + 1]; });
    for (std::size_t b = 0; b < numBuckets; ++b) {
        offsets[b + 1] += offsets[b];
    }
    values.resize(offsets[numBuckets]);
    std::vector<std::uint32_t> fill(offsets.begin(), offsets.end() - 1);
    forEachItem([&](std::uint32_t bucket, const Value& value) { values[fill[bucket]++] = value; });
}

} // namespace fluxforge::detail
