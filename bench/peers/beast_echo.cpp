// bench/peers/beast_echo.cpp -- the common echo server of bench/run.sh:
// Boost.Beast, one thread, asynchronous, every message echoed with its type.
//   beast_echo            listens on 127.0.0.1, a free port; prints "PORT n"
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <memory>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
public:
    explicit Session(tcp::socket socket) : ws_(std::move(socket)) {}
    void start() {
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(64 * 1024 * 1024);
        ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->read();
        });
    }

private:
    void read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->ws_.text(self->ws_.got_text());
            self->ws_.async_write(self->buffer_.data(),
                                  [self](beast::error_code ec2, std::size_t) {
                                      if (ec2) return;
                                      self->buffer_.consume(self->buffer_.size());
                                      self->read();
                                  });
        });
    }
    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
};

class Listener {
public:
    explicit Listener(asio::io_context &io) : acceptor_(io) {
        tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen(4096);
        std::printf("PORT %u\n", unsigned(acceptor_.local_endpoint().port()));
        std::fflush(stdout);
        accept();
    }

private:
    void accept() {
        acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (!ec) {
                socket.set_option(tcp::no_delay(true));
                std::make_shared<Session>(std::move(socket))->start();
            }
            accept();
        });
    }
    tcp::acceptor acceptor_;
};

int main() {
    asio::io_context io(1);
    Listener listener(io);
    io.run();
}
