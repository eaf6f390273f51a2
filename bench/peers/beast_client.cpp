// bench/peers/beast_client.cpp -- Boost.Beast as a client (the C++ user's
// other choice), following bench/README.md. Synchronous: one connection,
// one thread, the fastest way Beast does one message in flight.
//   beast_client URL rtt|mib|pipeline|connect SECONDS
//   beast_client URL hold N      N open connections on one io_context
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
static double cpu_now() {
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

struct Target { std::string host, port; };
static Target parse(const std::string &url) {   // ws://HOST:PORT/
    std::string rest = url.substr(url.find("//") + 2);
    rest = rest.substr(0, rest.find('/'));
    auto colon = rest.rfind(':');
    return {rest.substr(0, colon), rest.substr(colon + 1)};
}

using Stream = websocket::stream<tcp::socket>;

static std::unique_ptr<Stream> open(asio::io_context &io, const Target &t) {
    auto ws = std::make_unique<Stream>(io);
    tcp::resolver resolver(io);
    asio::connect(ws->next_layer(), resolver.resolve(t.host, t.port));
    ws->next_layer().set_option(tcp::no_delay(true));
    ws->read_message_max(64 * 1024 * 1024);
    // Beast masks into this buffer and writes it per fill: the default
    // (4 KiB) costs 256 system calls per MiB; a user after throughput
    // raises it, so the benchmark does too.
    ws->write_buffer_bytes(256 * 1024);
    ws->auto_fragment(false);
    ws->handshake(t.host + ":" + t.port, "/");
    return ws;
}

static long peak_rss_kib() {   // VmHWM: ru_maxrss would include the parent's
    char line[256];
    long kib = -1;
    FILE *f = std::fopen("/proc/self/status", "r");
    while (f && std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "VmHWM: %ld", &kib) == 1) break;
    if (f) std::fclose(f);
    return kib;
}

static int hold(asio::io_context &io, const Target &t, long n) {
    long base = peak_rss_kib();
    std::vector<std::unique_ptr<Stream>> all;
    auto ep = *tcp::resolver(io).resolve(t.host, t.port).begin();
    long opened = 0;
    for (long i = 0; i < n; ++i) {
        all.push_back(std::make_unique<Stream>(io));
        Stream *ws = all.back().get();
        ws->next_layer().async_connect(ep, [ws, &t, &opened](beast::error_code ec) {
            if (ec) { std::fprintf(stderr, "connect: %s\n", ec.message().c_str()); std::exit(1); }
            ws->async_handshake(t.host + ":" + t.port, "/", [&opened](beast::error_code ec2) {
                if (ec2) { std::fprintf(stderr, "handshake: %s\n", ec2.message().c_str()); std::exit(1); }
                ++opened;
            });
        });
        if ((i + 1) % 100 == 0 || i + 1 == n) {
            while (opened < i + 1) {
                if (io.stopped()) io.restart();   // it stops whenever it runs out of work
                io.run_one();
            }
        }
    }
    std::printf("{\"connections\": %ld, \"base_rss_kib\": %ld, \"peak_rss_kib\": %ld}\n", n, base, peak_rss_kib());
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: beast_client URL rtt|mib|pipeline|connect SECONDS | URL hold N\n");
        return 2;
    }
    try {
        asio::io_context io;
        Target t = parse(argv[1]);
        std::string mode = argv[2];
        if (mode == "hold") return hold(io, t, std::atol(argv[3]));
        double seconds = std::atof(argv[3]);
        const char *w = std::getenv("BENCH_WARMUP");
        double warm = w ? std::atof(w) : 1.0;
        size_t size = mode == "rtt" ? 32 : mode == "mib" ? 1048576 : 64;
        std::string payload(size, 'x');
        for (size_t i = 0; i < size; ++i) payload[i] = char('a' + i % 26);
        beast::flat_buffer buf;
        auto check = [&](const beast::flat_buffer &b) {
            if (b.size() != size || (mode == "rtt" && std::memcmp(b.data().data(), payload.data(), size))) {
                std::fprintf(stderr, "beast_client: bad echo of %zu bytes\n", b.size());
                std::exit(1);
            }
        };
        std::unique_ptr<Stream> ws;
        if (mode != "connect") {
            ws = open(io, t);
            ws->text(mode == "rtt");
            ws->binary(mode != "rtt");
        }
        int window = mode == "pipeline" ? 64 : 1;
        auto one = [&](bool first) {   // one operation
            if (mode == "connect") {
                auto c = open(io, t);
                // Sends the close frame and reads until the server's reply.
                c->close(websocket::close_code::normal);
                return;
            }
            if (first)
                for (int i = 0; i < window; ++i) ws->write(asio::buffer(payload));
            buf.clear();
            ws->read(buf);
            check(buf);
            ws->write(asio::buffer(payload));
        };
        double end = now() + warm;
        bool first = true;
        while (now() < end) { one(first); first = false; }
        long ops = 0;
        double start = now(), cpu = cpu_now();
        end = start + seconds;
        do { one(first); first = false; ++ops; } while (now() < end);
        std::printf("{\"ops\": %ld, \"seconds\": %.6f, \"cpu_seconds\": %.6f}\n", ops, now() - start, cpu_now() - cpu);
        if (ws) {
            ws->close(websocket::close_code::normal);
        }
    } catch (std::exception &e) {
        std::fprintf(stderr, "beast_client: %s\n", e.what());
        return 1;
    }
    return 0;
}
