#include "connection.h"

#include "loop.h"
#include "random.h"
#include "resolver.h"

#include <cstring>

namespace polyws {
namespace {
// Bytes handed to the transport per writable callback: large enough to
// batch many small messages into one system call, small enough that what
// the kernel refuses (and lws then copies) stays small.
constexpr size_t kWriteBatch = 64 * 1024;
constexpr size_t kMaxPendingPongs = 32;
// Batches written in one go when the stream keeps taking them at once.
constexpr int kBatchesPerWritable = 32;
} // namespace

Connection::Connection(std::shared_ptr<Socket> socket)
    : socket_(std::move(socket)), outbox_(socket_->outbox()),
      decoder_(socket_->options().max_message_size) {
    socket_->loop().add_connection(this);
}

Connection::~Connection() { socket_->loop().remove_connection(this); }

void Connection::abandon() {
    // One last batch: what the host queued before freeing its handles goes
    // out, up to the 1001 close frame of ws_free() when it fits.
    if (!finished_ && phase_ == Phase::Open && link_open_ && !sent_close_) on_writable();
    if (!finished_) finish(kCloseAbnormal, "", false, "the loop was shut down");
    if (link_open_) {
        link_->close();   // the transport then reports the end (on_closed)
        return;
    }
    abort_pending_layers();
    destroy_if_idle();
}

void Connection::start(std::shared_ptr<Socket> socket) {
    auto *c = new Connection(socket);
    socket->connection = c;
    Transport &transport = socket->loop().transport();
    c->connect_timer_ = transport.make_timer([c] {
        c->fail("the opening handshake did not complete within " +
                    std::to_string(c->socket_->options().connect_timeout_ms) + " ms",
                0);
    });
    c->close_timer_ = transport.make_timer([c] { c->on_close_timeout(); });
    c->ping_timer_ = transport.make_timer([c] { c->on_ping_due(); });
    c->pong_timer_ = transport.make_timer([c] {
        c->fail("the server did not answer a ping within " +
                    std::to_string(c->socket_->options().pong_timeout_ms) + " ms",
                0);
    });
    if (socket->options().connect_timeout_ms)
        c->connect_timer_->arm(socket->options().connect_timeout_ms);
    if (socket->released()) {
        c->fail("released before connecting", 0);
        return;
    }
    const Options &options = socket->options();
    const WebSocketUrl &url = socket->parsed_url();
    c->proxy_ = options.proxy;
    if (c->proxy_.host.empty() && options.proxy_from_environment) {
        std::string error;
        proxy_from_environment(url.secure, url.connect_host, c->proxy_, error);
        if (!error.empty()) {
            c->fail("the proxy environment variable is invalid: " + error, 0);
            return;
        }
    }
    // Through a proxy, only the proxy's name is looked up here; the proxy
    // resolves the target.
    const std::string &lookup = c->proxy_.host.empty() ? url.connect_host : c->proxy_.host;
    CommandPoster post = transport.poster();
    resolve_async(lookup,
                  [post, socket](std::vector<std::string> addresses, std::string error) {
                      post([socket, addresses = std::move(addresses), error = std::move(error)] {
                          if (socket->connection)
                              socket->connection->on_resolved(addresses, error);
                      });
                  });
}

void Connection::on_resolved(std::vector<std::string> addresses, std::string error) {
    if (phase_ != Phase::Resolving || finished_) return;
    if (!error.empty()) {
        finish(kCloseAbnormal, "", false, error);
        destroy_if_idle();
        return;
    }
    addresses_ = std::move(addresses);
    connect_next();
}

void Connection::connect_next() {
    if (next_address_ >= addresses_.size()) {
        finish(kCloseAbnormal, "", false, last_connect_error_);
        destroy_if_idle();
        return;
    }
    const WebSocketUrl &url = socket_->parsed_url();
    ConnectRequest request;
    request.address = addresses_[next_address_++];
    request.port = proxy_.host.empty() ? url.port : proxy_.port;
    // The layers, fresh for each attempt (the previous attempt's TCP link is
    // gone): TCP [-> CONNECT tunnel] [-> TLS] -> this connection.
    LinkHandler *handler = this;
    if (url.secure) {
        const std::string &name = socket_->options().tls.server_name;
        tls_ = std::make_unique<TlsStream>(*this, socket_->tls_context(),
                                           name.empty() ? url.connect_host : name);
        handler = tls_.get();
    }
    if (!proxy_.host.empty()) {
        proxy_tunnel_ = std::make_unique<ProxyTunnel>(*handler, proxy_,
                                                      url.host + ":" + std::to_string(url.port));
        handler = proxy_tunnel_.get();
    }
    phase_ = Phase::Connecting;
    connect_pending_ = true;
    socket_->loop().transport().connect(request, handler);
}

void Connection::on_connect_failed(const std::string &why) {
    connect_pending_ = false;
    last_connect_error_ = why;
    if (finished_) {
        destroy_if_idle();
        return;
    }
    connect_next();
}

void Connection::on_connected(Link &link) {
    connect_pending_ = false;
    link_ = &link;
    link_open_ = true;
    if (finished_) {
        link_->close();
        return;
    }
    phase_ = Phase::Handshaking;
    request_ = build_handshake_request(socket_->parsed_url(), socket_->requested_protocols(),
                                       socket_->options().request);
    response_.expect(request_.key, socket_->requested_protocols(),
                     socket_->options().request.deflate);
    link_->request_write();
}

void Connection::on_bytes(const uint8_t *data, size_t size) {
    if (phase_ == Phase::Handshaking) {
        size_t used = 0;
        switch (response_.feed(reinterpret_cast<const char *>(data), size, used)) {
        case HandshakeResponse::Status::NeedMore:
            return;
        case HandshakeResponse::Status::Rejected:
            fail(response_.error(), 0);
            return;
        case HandshakeResponse::Status::Accepted:
            break;
        }
        connect_timer_->cancel();
        phase_ = Phase::Open;
        socket_->on_connection_opened();
        if (response_.result().deflate) {
            decoder_.enable_deflate();
            compressor_ = std::make_unique<MessageCompressor>(response_.result().deflate_agreement);
        }
        Event open;
        open.kind = EventKind::Open;
        open.protocol = response_.result().protocol;
        open.extensions = response_.result().extensions;
        open.headers = response_.result().headers;
        socket_->post_event(std::move(open));
        data += used;
        size -= used;
        if (socket_->options().ping_interval_ms) ping_timer_->arm(socket_->options().ping_interval_ms);
        link_->request_write();   // ws_free() may have queued a close already
    }
    if (phase_ != Phase::Open || size == 0) return;
    if (reading_stopped_) {
        // Read before the stop took effect (or by the TLS layer from one read).
        undecoded_.append(reinterpret_cast<const char *>(data), size);
        return;
    }
    decode(data, size);
}

void Connection::decode(const uint8_t *data, size_t size) {
    size_t used = 0;
    if (!decoder_.feed(data, size, *this, &used)) {
        fail(decoder_.violation(), decoder_.violation_code());
        return;
    }
    if (used < size) undecoded_.append(reinterpret_cast<const char *>(data) + used, size - used);
}

void Connection::on_message(bool binary, std::string &&payload) {
    // After our close frame nothing can be delivered (the host closed or
    // freed the socket, or the connection is failing): do not hold it.
    if (sent_close_) return;
    Event message;
    message.kind = EventKind::Message;
    message.binary = binary;
    message.data = std::move(payload);
    socket_->post_event(std::move(message));
    if (!reading_stopped_ && socket_->undelivered_amount() >= socket_->options().receive_limit)
        stop_reading();
}

// Receive flow control. Called between two messages, from inside the
// decoder: it stops after this message, and the socket is no longer read,
// so the kernel's buffers fill and TCP makes the server wait. Our own
// keepalive cannot expect a pong meanwhile.
void Connection::stop_reading() {
    decoder_.hold();
    reading_stopped_ = true;
    link_->set_reading(false);
    if (awaiting_pong_) pong_timer_->cancel();
    if (socket_->note_reading_stopped()) return;
    // The host took enough in the meantime: go on (the decoder goes on too).
    decoder_.release();
    reading_stopped_ = false;
    link_->set_reading(true);
    if (awaiting_pong_) pong_timer_->arm(socket_->options().pong_timeout_ms);
}

void Connection::resume_reading() {
    if (!reading_stopped_ || finished_) return;
    reading_stopped_ = false;
    decoder_.release();
    if (!undecoded_.empty()) {
        std::string pending;
        pending.swap(undecoded_);
        decode(reinterpret_cast<const uint8_t *>(pending.data()), pending.size());
        if (reading_stopped_ || finished_) return;   // stopped again, or failed
    }
    if (link_open_) link_->set_reading(true);
    if (awaiting_pong_) pong_timer_->arm(socket_->options().pong_timeout_ms);
}

void Connection::on_ping(const uint8_t *payload, size_t size) {
    if (sent_close_) return;
    // RFC 6455 5.5.3 allows answering only the latest ping; answering each
    // (up to a bound against a ping flood) is what peers expect.
    if (pending_pongs_.size() >= kMaxPendingPongs) pending_pongs_.pop_front();
    pending_pongs_.emplace_back(reinterpret_cast<const char *>(payload), size);
    link_->request_write();
}

// Keepalive: a ping every interval; a pong must follow within the timeout,
// or the peer is taken for dead and the connection fails (error, 1006).
void Connection::send_ping(const std::string &payload) {
    if (phase_ != Phase::Open || sent_close_) return;
    pending_pings_.push_back(payload);
    link_->request_write();
}

void Connection::on_ping_due() {
    if (phase_ != Phase::Open || sent_close_ || received_close_) return;
    ping_pending_ = true;
    awaiting_pong_ = true;
    if (!reading_stopped_) pong_timer_->arm(socket_->options().pong_timeout_ms);
    link_->request_write();
}

void Connection::on_pong() {
    if (!pings_sent_) return;   // unsolicited: nothing to settle
    awaiting_pong_ = false;
    pong_timer_->cancel();
    if (phase_ == Phase::Open && !sent_close_) ping_timer_->arm(socket_->options().ping_interval_ms);
}

void Connection::on_close_frame(bool has_code, uint16_t code, std::string &&reason) {
    received_close_ = true;
    peer_code_ = has_code ? code : kCloseNoStatus;
    peer_reason_ = std::move(reason);
    if (!sent_close_) {
        // The server started the closing handshake: CLOSING, and echo its code.
        Event closing;
        closing.kind = EventKind::PeerClosing;
        socket_->post_event(std::move(closing));
        close_reply_ = has_code ? encode_close_payload(code, "") : std::string();
        close_reply_pending_ = true;
        link_->request_write();
    }
    // Both sides have spoken; the server should now close the TCP connection.
    close_timer_->arm(socket_->options().close_timeout_ms);
}

void Connection::write_control(Opcode opcode, const std::string &payload) {
    uint8_t mask[4];
    fill_random(mask, 4);
    uint8_t header[14];
    size_t n = encode_frame_header(header, opcode, true, payload.size(), mask);
    size_t at = scratch_.size();
    scratch_.resize(at + n + payload.size());
    std::memcpy(&scratch_[at], header, n);
    apply_mask(&scratch_[at + n], reinterpret_cast<const uint8_t *>(payload.data()),
               payload.size(), mask, 0);
}

// Appends as much of the current message as fits in the batch.
void Connection::write_message_chunk() {
    size_t at = scratch_.size();
    if (current_offset_ == 0 && !header_written_) {
        fill_random(current_mask_, 4);
        uint8_t header[14];
        size_t n = encode_frame_header(header, current_.opcode, true, current_.payload.size(),
                                       current_mask_, current_compressed_size_ != 0);
        scratch_.insert(scratch_.end(), header, header + n);
        header_written_ = true;
        at = scratch_.size();
    }
    size_t left = current_.payload.size() - size_t(current_offset_);
    size_t room = kWriteBatch > at ? kWriteBatch - at : 0;
    size_t n = left < room ? left : room;
    scratch_.resize(at + n);
    apply_mask(&scratch_[at], reinterpret_cast<const uint8_t *>(current_.payload.data()) + current_offset_,
               n, current_mask_, current_offset_);
    current_offset_ += n;
    // bufferedAmount counts the bytes given to send(): a compressed message
    // counts as sent, all of it, when its last byte leaves.
    if (current_.counted && !current_compressed_size_) counted_in_batch_ += n;
    if (current_offset_ == current_.payload.size()) {
        if (current_.counted && current_compressed_size_) counted_in_batch_ += current_original_size_;
        current_compressed_size_ = 0;
        writing_ = false;
        header_written_ = false;
        current_ = Outgoing();
    }
}

void Connection::on_writable() {
    if (!link_open_) return;
    // on_writable() may be entered from a listener run inside itself (I/O
    // thread delivery: a send in a listener of an event posted here).
    if (in_writable_) {
        link_->request_write();
        return;
    }
    struct Guard {
        bool &flag;
        explicit Guard(bool &f) : flag(f) { flag = true; }
        ~Guard() { flag = false; }
    } guard(in_writable_);
    if (!settle_later_) settle_sent_bytes();
    if (drop_after_write_) {
        // The failing close frame has left; now drop the connection.
        link_->close();
        return;
    }
    // Batch after batch while the kernel takes them at once (a 1 MiB
    // message is 16 batches): each one given back to the poll loop would
    // cost a poll round. Bounded, so one socket cannot starve the others.
    for (int batch = 0;; ++batch) {
        scratch_.clear();
        counted_in_batch_ = 0;
        if (phase_ == Phase::Handshaking) {
            if (request_written_ < request_.bytes.size()) {
                link_->write(reinterpret_cast<const uint8_t *>(request_.bytes.data()) + request_written_,
                             request_.bytes.size() - request_written_);
                request_written_ = request_.bytes.size();
            }
            return;
        }
        bool more = false;
        if (phase_ == Phase::Ended) {
            if (failing_ && !sent_close_) {
                write_control(Opcode::Close, fail_close_);
                sent_close_ = true;
                drop_after_write_ = true;
                more = true;
            } else {
                link_->close();
                return;
            }
        }
        while (phase_ == Phase::Open && scratch_.size() < kWriteBatch) {
            if (writing_) {
                write_message_chunk();
                continue;
            }
            if (!pending_pongs_.empty()) {
                write_control(Opcode::Pong, pending_pongs_.front());
                pending_pongs_.pop_front();
                continue;
            }
            if (!pending_pings_.empty() && !sent_close_) {
                write_control(Opcode::Ping, pending_pings_.front());
                pending_pings_.pop_front();
                continue;
            }
            if (ping_pending_ && !sent_close_) {
                write_control(Opcode::Ping, "polyws-" + std::to_string(++pings_sent_));
                ping_pending_ = false;
                continue;
            }
            if (close_reply_pending_) {
                write_control(Opcode::Close, close_reply_);
                close_reply_pending_ = false;
                sent_close_ = true;
                break;
            }
            if (sent_close_) break;
            Outgoing next;
            if (!outbox_.pop(next)) break;
            if (next.opcode == Opcode::Close) {
                write_control(Opcode::Close, next.payload);
                sent_close_ = true;
                close_timer_->arm(socket_->options().close_timeout_ms);
                if (reading_stopped_) {
                    // The server's reply must be read, behind what waits
                    // (no longer deliverable): read on once this write ends.
                    std::shared_ptr<Socket> socket = socket_;
                    socket_->loop().transport().post([socket] {
                        if (socket->connection) socket->connection->resume_reading();
                    });
                }
                break;
            }
            current_ = std::move(next);
            current_offset_ = 0;
            writing_ = true;
            if (compressor_) {
                current_original_size_ = current_.payload.size();
                std::string compressed;
                compressor_->compress(current_.payload, compressed);
                current_.payload.swap(compressed);
                current_compressed_size_ = current_.payload.size();
            }
        }
        if (phase_ == Phase::Open && scratch_.size() >= kWriteBatch) more = true;
        if (!scratch_.empty()) {
            link_->write(scratch_.data(), scratch_.size());
            if (settle_later_) unsettled_bytes_ += counted_in_batch_;
            else outbox_.on_sent(counted_in_batch_);
        }
        if (failing_ && sent_close_) finish(kCloseAbnormal, "", false, fail_error_);
        if (!(more || writing_)) return;
        if (batch < kBatchesPerWritable && phase_ == Phase::Open && !failing_ && link_open_ &&
            link_->can_write_now())
            continue;
        link_->request_write();
        return;
    }
}

void Connection::on_outgoing(bool from_listener) {
    if (phase_ != Phase::Open || !link_open_) return;
    // Write now when the stream is idle, rather than asking the poll loop
    // for a writable callback and writing one poll round later.
    if (in_writable_ || !link_->can_write_now()) {
        link_->request_write();
        return;
    }
    // From a listener on the I/O thread, bufferedAmount must not fall
    // while the listener runs (a browser drains it in a later task: the
    // sum of its sends is what it reads back, and the send buffer limit
    // counts them all). The bytes leave now; the count settles in the
    // writable callback that follows.
    settle_later_ = from_listener;
    on_writable();
    settle_later_ = false;
    if (!unsettled_bytes_) return;
    // A host-driven loop settles when the dispatch call that runs this
    // listener ends; an I/O-thread loop in the writable callback, which
    // comes after the listener returns.
    if (!socket_->loop().settle_after_dispatch(this)) link_->request_write();
}

void Connection::settle_sent_bytes() {
    if (!unsettled_bytes_) return;
    outbox_.on_sent(unsettled_bytes_);
    unsettled_bytes_ = 0;
}

void Connection::on_close_timeout() {
    // The peer did not finish the closing handshake in time: drop it; the
    // close event then says what was (or was not) received.
    if (link_open_) link_->close();
}

void Connection::on_released() {
    if (phase_ == Phase::Open) on_outgoing(false);   // the going-away close is queued
    else fail("the socket was released before it opened", 0);
}

void Connection::fail(const std::string &why, uint16_t wire_code) {
    if (finished_ || failing_) return;
    if (link_open_ && phase_ == Phase::Open && wire_code && !sent_close_ && !writing_) {
        // Send the close frame first and report afterwards, so a host that
        // exits on the close event does not cut the frame off.
        failing_ = true;
        fail_error_ = why;
        fail_close_ = encode_close_payload(wire_code, "");
        phase_ = Phase::Ended;
        close_timer_->arm(socket_->options().close_timeout_ms);
        link_->request_write();
        return;
    }
    finish(kCloseAbnormal, "", false, why);
    if (link_open_) {
        link_->close();
        return;
    }
    abort_pending_layers();
    destroy_if_idle();
}

// A TLS handshake or proxy tunnel still being set up holds a TCP link: drop
// it; its end (on_connect_failed) then lets this connection go.
void Connection::abort_pending_layers() {
    if (!connect_pending_) return;
    if (tls_) tls_->abort();
    if (proxy_tunnel_) proxy_tunnel_->abort();
}

void Connection::on_closed() {
    link_open_ = false;
    link_ = nullptr;
    if (!finished_) {
        if (failing_)
            finish(kCloseAbnormal, "", false, fail_error_);
        else if (phase_ != Phase::Open)
            finish(kCloseAbnormal, "", false,
                   "the server closed the connection during the opening handshake");
        else if (received_close_)
            finish(peer_code_, peer_reason_, true, "");
        else
            finish(kCloseAbnormal, "", false, "");   // dropped without a close frame: no error
    }
    destroy_if_idle();
}

void Connection::finish(uint16_t code, const std::string &reason, bool was_clean,
                        const std::string &error) {
    if (finished_) return;
    finished_ = true;
    settle_sent_bytes();   // written, so not unsent
    phase_ = Phase::Ended;
    connect_timer_->cancel();
    ping_timer_->cancel();
    pong_timer_->cancel();
    uint64_t unsent_messages = 0, unsent_bytes = 0;
    outbox_.end(unsent_messages, unsent_bytes);
    if (writing_ && current_.counted) ++unsent_messages;   // cut off part way
    if (!error.empty()) {
        Event failed;
        failed.kind = EventKind::Error;
        failed.error = error;
        socket_->post_event(std::move(failed));
    }
    Event closed;
    closed.kind = EventKind::Close;
    closed.code = code;
    closed.reason = reason;
    closed.was_clean = was_clean;
    closed.unsent_messages = unsent_messages;
    closed.unsent_bytes = unsent_bytes;
    uint32_t delay_ms = 0, attempt = 0;
    bool reconnect = socket_->plan_reconnect(was_clean, code, delay_ms, attempt);
    closed.will_reconnect = reconnect;
    socket_->post_event(std::move(closed));
    if (reconnect) socket_->loop().schedule_reconnect(socket_, delay_ms, attempt);
}

void Connection::destroy_if_idle() {
    if (!finished_ || link_open_ || connect_pending_) return;
    if (socket_->connection == this) socket_->connection = nullptr;   // not a successor's
    delete this;
}

} // namespace polyws
