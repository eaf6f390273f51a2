// The send side of a socket: the messages send() and close() queued for the
// connection to write, and bufferedAmount, the bytes send() accepted that
// were not written yet (or never will be: a browser keeps counting what it
// discards once the connection is over). The host queues, the I/O thread
// takes. Thread-safe; a socket calls it under its own lock, so that its
// readyState and the queue change together (the lock order is socket, then
// outbox).
#pragma once

#include "frame.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace polyws {

// A message waiting to be written, or the close frame that ends the queue.
struct Outgoing {
    Opcode opcode = Opcode::Text;
    std::string payload;
    bool counted = true;   // its bytes are in bufferedAmount
};

class Outbox {
public:
    // `limit`: the send buffer limit, the most bufferedAmount may reach.
    explicit Outbox(uint64_t limit) : limit_(limit) {}

    enum class Accepted { Queued, Discarded, OverLimit };

    // ---- Host side ----
    // A message from send(): Queued; Discarded (counted, never sent) when
    // the connection is over; OverLimit, and nothing changes, when it would
    // take bufferedAmount past the limit.
    Accepted push(Opcode opcode, const void *data, size_t size);
    // A message sent while the socket is not open: counted, never sent.
    void discard(size_t size);
    // The close frame that ends the queue (not counted).
    void push_close(std::string payload);
    // The same, unless the connection is already over: then false.
    bool push_close_unless_ended(std::string payload);
    uint64_t buffered() const { return buffered_.load(); }
    uint64_t limit() const { return limit_; }

    // ---- Dispatch ----
    // For the close event: adds the messages discarded since the last one
    // (a send that raced with the end is never lost unreported) and gives
    // bufferedAmount as the unsent bytes.
    void report_unsent(uint64_t &unsent_messages, uint64_t &unsent_bytes);
    // A new connection (the reconnect option): nothing buffered, live again.
    void restart();

    // ---- I/O thread ----
    bool pop(Outgoing &out);
    void on_sent(uint64_t payload_bytes) { buffered_.fetch_sub(payload_bytes); }
    // The connection is over: later sends only count. Gives what was queued
    // and will never be sent: messages, and bufferedAmount as bytes.
    void end(uint64_t &unsent_messages, uint64_t &unsent_bytes);

private:
    const uint64_t limit_;
    mutable std::mutex mutex_;
    std::deque<Outgoing> queue_;
    bool ended_ = false;
    // Messages accepted but discarded (the connection was ending or over)
    // since the last close event.
    uint64_t discarded_ = 0;
    std::atomic<uint64_t> buffered_{0};
};

} // namespace polyws
