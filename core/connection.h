// One WebSocket connection on the I/O thread: name lookup, the opening
// handshake, framing, the closing handshake, failures and timeouts, turned
// into the browser's event sequence. Knows the transport only through Link.
#pragma once

#include "frame.h"
#include "handshake.h"
#include "outbox.h"
#include "socket.h"
#include "proxy_tunnel.h"
#include "tls_stream.h"
#include "transport.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace polyws {

class Connection final : public LinkHandler, private FrameSink {
public:
    // Creates the connection for `socket` and starts it. I/O thread only,
    // as is every other member. The connection deletes itself when done.
    static void start(std::shared_ptr<Socket> socket);

    // The host queued messages or a close frame; `from_listener`: by a
    // listener running on the I/O thread (see on_outgoing's comment).
    void on_outgoing(bool from_listener);
    // Takes the bytes written from listeners off bufferedAmount.
    void settle_sent_bytes();
    // Receive flow control: the host took enough messages; read again.
    void resume_reading();
    // ws_ping: queues a ping (behind what is being written), Open only.
    void send_ping(const std::string &payload);
    // Fails the connection: error, then close 1006; sends a close frame
    // with `wire_code` when the connection is open (0: none).
    void fail(const std::string &why, uint16_t wire_code);
    // ws_free(): abandon a connection that is not open yet; an open one goes
    // on to send its queued close frame (1001).
    void on_released();
    // The loop is stopping: report the end (if not yet) and drop the stream.
    void abandon();

private:
    explicit Connection(std::shared_ptr<Socket> socket);
    ~Connection() override;

    void on_resolved(std::vector<std::string> addresses, std::string error);
    void connect_next();

    // LinkHandler
    void on_connected(Link &link) override;
    void on_connect_failed(const std::string &why) override;
    void on_bytes(const uint8_t *data, size_t size) override;
    void on_writable() override;
    void on_closed() override;

    // FrameSink
    void on_message(bool binary, std::string &&payload) override;
    void on_ping(const uint8_t *payload, size_t size) override;
    void on_close_frame(bool has_code, uint16_t code, std::string &&reason) override;
    void on_pong() override;
    void on_ping_due();

    // Decodes incoming frames; keeps what a receive-limit stop left over.
    void decode(const uint8_t *data, size_t size);
    void stop_reading();
    void write_control(Opcode opcode, const std::string &payload);
    void write_message_chunk();
    void on_close_timeout();
    // Reports the end to the host once: error (if `error` is not empty),
    // then close.
    void finish(uint16_t code, const std::string &reason, bool was_clean, const std::string &error);
    void destroy_if_idle();
    void abort_pending_layers();

    enum class Phase { Resolving, Connecting, Handshaking, Open, Ended };

    std::shared_ptr<Socket> socket_;
    Outbox &outbox_;                   // the socket's: what to write, bufferedAmount
    Phase phase_ = Phase::Resolving;
    Link *link_ = nullptr;             // the TCP link, or tls_ over it
    std::unique_ptr<TlsStream> tls_;   // wss only
    std::unique_ptr<ProxyTunnel> proxy_tunnel_;   // through an HTTP proxy only
    ProxyOptions proxy_;               // the proxy in use, if any
    bool link_open_ = false;
    bool connect_pending_ = false;
    std::vector<std::string> addresses_;
    size_t next_address_ = 0;
    std::string last_connect_error_;

    HandshakeRequest request_;
    size_t request_written_ = 0;
    HandshakeResponse response_;
    FrameDecoder decoder_;

    std::unique_ptr<Timer> connect_timer_;
    std::unique_ptr<Timer> close_timer_;
    std::unique_ptr<Timer> ping_timer_;   // keepalive: the next ping
    std::unique_ptr<Timer> pong_timer_;   // keepalive: the answer's deadline
    bool ping_pending_ = false;           // a keepalive ping waits to be written
    bool awaiting_pong_ = false;          // the pong timer runs (unless reading stopped)

    // Receive flow control: reading stopped at the socket's receive limit;
    // the bytes already read but not decoded wait here.
    bool reading_stopped_ = false;
    std::string undecoded_;
    uint32_t pings_sent_ = 0;

    // Writing: one message at a time, in chunks, masked on the way out.
    Outgoing current_;
    bool writing_ = false;
    uint64_t current_offset_ = 0;
    bool header_written_ = false;
    uint64_t current_original_size_ = 0;     // before compression
    uint64_t current_compressed_size_ = 0;   // 0: not compressed
    std::unique_ptr<MessageCompressor> compressor_;   // permessage-deflate agreed
    uint64_t counted_in_batch_ = 0;
    uint8_t current_mask_[4] = {0, 0, 0, 0};
    // Grows without zero-filling: every byte added is written (masked)
    // right away, and zeroing 1 MiB per message cost as much as masking it.
    template <class T> struct UninitializedAllocator : std::allocator<T> {
        template <class U> struct rebind { using other = UninitializedAllocator<U>; };
        UninitializedAllocator() = default;
        template <class U> UninitializedAllocator(const UninitializedAllocator<U> &) noexcept {}
        template <class U> void construct(U *p) noexcept { ::new (static_cast<void *>(p)) U; }
        template <class U, class... Args> void construct(U *p, Args &&...args) {
            ::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
        }
    };
    std::vector<uint8_t, UninitializedAllocator<uint8_t>> scratch_;
    std::deque<std::string> pending_pongs_;   // answered in order, oldest first
    std::deque<std::string> pending_pings_;   // ws_ping's, in order
    std::string close_reply_;          // to echo the server's close frame
    bool close_reply_pending_ = false;
    bool failing_ = false;             // a protocol failure awaits its close frame
    std::string fail_error_;
    std::string fail_close_;
    bool drop_after_write_ = false;
    bool in_writable_ = false;         // on_writable() is running
    bool settle_later_ = false;        // count written bytes in unsettled_bytes_
    uint64_t unsettled_bytes_ = 0;     // written, still in bufferedAmount

    bool sent_close_ = false;
    bool received_close_ = false;
    uint16_t peer_code_ = kCloseNoStatus;
    std::string peer_reason_;
    bool finished_ = false;
};

} // namespace polyws
