// bench/peers/websocketpp_client.cpp -- websocketpp 0.8 (asio, no TLS) as
// a client, following bench/README.md. One thread, its handlers drive the
// exchange.
//   websocketpp_client URL rtt|mib|pipeline|connect SECONDS
#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using Client = websocketpp::client<websocketpp::config::asio_client>;
using websocketpp::connection_hdl;

static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
static double cpu_now() {
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static Client client;
static std::string url, mode, payload;
static double warm_end, start, deadline, cpu_start, seconds;
static bool measuring, finished;
static long ops;

static bool count_op() {   // true when the run is over
    if (finished) return true;
    double t = now();
    if (!measuring) {
        if (t >= warm_end) { measuring = true; start = t; cpu_start = cpu_now(); deadline = t + seconds; }
        return false;
    }
    ++ops;
    if (t < deadline) return false;
    std::printf("{\"ops\": %ld, \"seconds\": %.6f, \"cpu_seconds\": %.6f}\n", ops, t - start, cpu_now() - cpu_start);
    std::fflush(stdout);
    finished = true;
    return true;
}

static websocketpp::frame::opcode::value opcode() {
    return mode == "rtt" ? websocketpp::frame::opcode::text : websocketpp::frame::opcode::binary;
}

static void start_connection() {
    websocketpp::lib::error_code ec;
    Client::connection_ptr c = client.get_connection(url, ec);
    if (ec) { std::fprintf(stderr, "websocketpp_client: %s\n", ec.message().c_str()); std::exit(1); }
    client.connect(c);
}

int main(int argc, char **argv) {
    if (argc != 4) { std::fprintf(stderr, "usage: websocketpp_client URL MODE SECONDS\n"); return 2; }
    url = argv[1];
    mode = argv[2];
    seconds = std::atof(argv[3]);
    const char *w = std::getenv("BENCH_WARMUP");
    warm_end = now() + (w ? std::atof(w) : 1.0);
    size_t size = mode == "rtt" ? 32 : mode == "mib" ? 1048576 : 64;
    payload.resize(size);
    for (size_t i = 0; i < size; ++i) payload[i] = char('a' + i % 26);

    client.clear_access_channels(websocketpp::log::alevel::all);
    client.clear_error_channels(websocketpp::log::elevel::all);
    client.init_asio();
    client.set_tcp_init_handler([](connection_hdl h) {
        auto c = client.get_con_from_hdl(h);
        c->get_raw_socket().set_option(boost::asio::ip::tcp::no_delay(true));
    });
    client.set_open_handler([](connection_hdl h) {
        if (mode == "connect") { client.close(h, websocketpp::close::status::normal, ""); return; }
        int n = mode == "pipeline" ? 64 : 1;
        for (int i = 0; i < n; ++i) client.send(h, payload, opcode());
    });
    client.set_message_handler([](connection_hdl h, Client::message_ptr msg) {
        if (finished) return;
        const std::string &p = msg->get_payload();
        if (p.size() != payload.size() || (mode == "rtt" && p != payload)) {
            std::fprintf(stderr, "websocketpp_client: bad echo of %zu bytes\n", p.size());
            std::exit(1);
        }
        if (count_op()) { client.close(h, websocketpp::close::status::normal, ""); return; }
        client.send(h, payload, opcode());
    });
    client.set_close_handler([](connection_hdl) {
        if (mode == "connect" && !count_op()) start_connection();
    });
    client.set_fail_handler([](connection_hdl h) {
        auto c = client.get_con_from_hdl(h);
        std::fprintf(stderr, "websocketpp_client: failed: %s\n", c->get_ec().message().c_str());
        std::exit(1);
    });
    start_connection();
    client.run();
    return finished ? 0 : 1;
}
