#include "outbox.h"

namespace polyws {

Outbox::Accepted Outbox::push(Opcode opcode, const void *data, size_t size) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ended_) {
        buffered_.fetch_add(size);
        ++discarded_;
        return Accepted::Discarded;
    }
    if (buffered_.load() + size > limit_) return Accepted::OverLimit;
    Outgoing message;
    message.opcode = opcode;
    message.payload.assign(static_cast<const char *>(data), size);
    buffered_.fetch_add(size);
    queue_.push_back(std::move(message));
    return Accepted::Queued;
}

void Outbox::discard(size_t size) {
    std::lock_guard<std::mutex> lock(mutex_);
    buffered_.fetch_add(size);
    ++discarded_;
}

namespace {
Outgoing close_frame(std::string payload) {
    Outgoing frame;
    frame.opcode = Opcode::Close;
    frame.counted = false;
    frame.payload = std::move(payload);
    return frame;
}
} // namespace

void Outbox::push_close(std::string payload) {
    Outgoing frame = close_frame(std::move(payload));
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(frame));
}

bool Outbox::push_close_unless_ended(std::string payload) {
    Outgoing frame = close_frame(std::move(payload));
    std::lock_guard<std::mutex> lock(mutex_);
    if (ended_) return false;
    queue_.push_back(std::move(frame));
    return true;
}

void Outbox::report_unsent(uint64_t &unsent_messages, uint64_t &unsent_bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    unsent_messages += discarded_;
    discarded_ = 0;
    unsent_bytes = buffered_.load();
}

void Outbox::restart() {
    std::lock_guard<std::mutex> lock(mutex_);
    ended_ = false;
    discarded_ = 0;
    buffered_.store(0);   // the new connection's queue starts empty
}

bool Outbox::pop(Outgoing &out) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.empty()) return false;
    out = std::move(queue_.front());
    queue_.pop_front();
    return true;
}

void Outbox::end(uint64_t &unsent_messages, uint64_t &unsent_bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    ended_ = true;
    for (const auto &m : queue_) unsent_messages += m.counted ? 1 : 0;
    queue_.clear();   // never to be sent; bufferedAmount keeps counting them
    unsent_bytes = buffered_.load();
}

} // namespace polyws
