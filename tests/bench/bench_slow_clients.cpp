// Benchmark: a kiosk upload, a staff page and the public ticket page while 500 sockets sit idle and 50 drip
// headers at minyi-server with no proxy in front (issue #11 item 2). Prints p99 under that load next to the
// p99 without it, measured in the same run.  Usage: bench_slow_clients [--rounds N]   (default 200)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "minyi/core/json_input.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/messages.h"
#include "minyi/protocol/sealed_answers.h"
#include "minyi/protocol/ticket.h"
#include "minyi/protocol/times.h"
#include "minyi/server/api_server.h"
#include "minyi/server/places.h"
#include "minyi/server/server_store.h"
#include "minyi/store/store.h"

namespace {

using namespace minyi;
using Clock = std::chrono::steady_clock;

// A TCP connection to the server from a given loopback address (127.0.0.x), or -1.
int connectFrom(int port, const std::string& from) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{}, remote{};
  local.sin_family = remote.sin_family = AF_INET;
  inet_pton(AF_INET, from.c_str(), &local.sin_addr);
  remote.sin_port = htons(static_cast<uint16_t>(port));
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

// One whole request on a fresh connection from 127.0.0.1 (Connection: close): its status, 0 on failure.
int request(int port, const std::string& bytes) {
  const int fd = connectFrom(port, "127.0.0.1");
  if (fd < 0) return 0;
  int status = 0;
  if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())) {
    std::string got;
    char buf[16384];
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, 10000) > 0) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    if (got.rfind("HTTP/1.1 ", 0) == 0 && got.size() > 12) status = std::atoi(got.c_str() + 9);
  }
  ::close(fd);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 200;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::max(10, std::atoi(argv[i + 1]));
  const std::string folder =
      (std::filesystem::temp_directory_path() / ("minyi-bench-slow-" + protocol::randomHex(4))).string();
  std::filesystem::create_directories(folder);
  int exitCode = 0;
  {
    auto store = server::openDataFolder(folder + "/data");
    server::addPlaces(*store, server::demoTownship());
    const auto keys = protocol::generateKeyPair();
    std::string why;
    auto text = core::readTextFile(std::string(MINYI_ASSETS_DIR) + "/forms/quick.json", &why, 4 << 20);
    if (!text) {
      std::fprintf(stderr, "bench_slow_clients: %s\n", why.c_str());
      return 1;
    }
    const std::string now = protocol::isoUtc(std::chrono::system_clock::now());
    const server::StoredForm form{"quick", 1, protocol::formContentHash(*text), "quick", *text, now};
    store->addForm(form);
    const std::string token = protocol::randomHex(32), csrf = protocol::randomHex(16), session = protocol::randomHex(32);
    store->addDevice({"bench-kiosk", "donghu-dqfwzx", "", protocol::sha256Hex("unused"), now, now});
    store->addUser({"bench", server::Role::Admin, "", "$argon2id$unused", now, "", ""});
    store->addSession({protocol::sha256Hex(session), "bench", csrf, now,
                       protocol::isoUtc(std::chrono::system_clock::now() + std::chrono::hours(1))});
    server::ApiOptions options;
    options.version = "bench";
    options.publicRequestsPerWindow = 1000000;
    options.connections.headerDeadline = std::chrono::seconds(120);  // the load lasts the whole measurement
    server::ApiServer api(*store, keys, options);
    const int port = api.bind("127.0.0.1", 0);
    std::thread serving([&] { api.run(); });
    // The kiosk's token, as enrollment would have stored it.
    const std::string code = protocol::randomCrockford(10);
    store->addDevice({"kiosk", "donghu-dqfwzx", "", protocol::sha256Hex(code),
                      protocol::isoUtc(std::chrono::system_clock::now() + std::chrono::hours(1)), now});
    const auto enrolled = store->redeemEnrollmentCode(protocol::sha256Hex(code), protocol::sha256Hex(token), now, "bench", "");
    if (!enrolled) {
      std::fprintf(stderr, "bench_slow_clients: enrollment failed\n");
      exitCode = 1;
    }

    auto upload = [&] {
      protocol::Envelope e{store::newSubmissionId(), form.id, 1, form.hash, "quick", protocol::isoUtc(std::chrono::system_clock::now()),
                           {}, "", {}, {}};
      e.sealed = protocol::sealAnswers(keys.publicKey, {e.id, e.formId, 1, ""}, core::Json{{"satisfaction", "satisfied"}});
      const std::string body = protocol::toJson(protocol::SubmissionBatch{{e}}).dump();
      return "POST /api/v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
             "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n\r\n" + body;
    };
    const std::string staff = "GET /staff/results HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: minyi_session=" + session +
                              "\r\nConnection: close\r\n\r\n";
    // A well-formed code nobody filed: the page answers it exactly as a wrong key (404), the same work.
    const std::string unknown = protocol::checkTicketCode(protocol::makeTicketCode(1, 99)).code;
    const std::string resident =
        "GET /t/" + unknown + "?k=ABCDEFGHJKMNPQ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    struct Samples {
      std::vector<double> upload, staff, resident;
    };
    auto measure = [&](Samples& s) {
      auto timed = [&](const std::string& bytes, int want, std::vector<double>& into) {
        const auto t = Clock::now();
        const int status = request(port, bytes);
        into.push_back(bench::ms(Clock::now() - t));
        if (status != want) {
          std::fprintf(stderr, "bench_slow_clients: status %d, expected %d\n", status, want);
          exitCode = 1;
        }
      };
      for (int i = 0; i < rounds; ++i) {
        timed(upload(), 200, s.upload);
        timed(staff, 200, s.staff);
        timed(resident, 404, s.resident);
      }
    };
    Samples quiet, loaded;
    measure(quiet);

    // The load: 500 idle sockets from 50 addresses, 50 that send a header line every 300 ms from 10 more.
    std::vector<int> idle, drip;
    for (int i = 0; i < 500; ++i) idle.push_back(connectFrom(port, "127.0.0." + std::to_string(10 + i / 10)));
    for (int i = 0; i < 50; ++i) {
      drip.push_back(connectFrom(port, "127.0.0." + std::to_string(100 + i / 5)));
      const std::string start = "GET /staff/results HTTP/1.1\r\nHost: 127.0.0.1\r\n";
      if (drip.back() >= 0) (void)::send(drip.back(), start.data(), start.size(), MSG_NOSIGNAL);
    }
    std::atomic<bool> stop{false};
    std::thread dripper([&] {
      while (!stop) {
        for (int fd : drip)
          if (fd >= 0) (void)::send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
      }
    });
    for (int i = 0; i < 200 && api.connections().open < 550; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const int64_t held = api.connections().open;
    measure(loaded);
    stop = true;
    dripper.join();
    for (int fd : idle) if (fd >= 0) ::close(fd);
    for (int fd : drip) if (fd >= 0) ::close(fd);

    std::printf("minyi-server alone, %d rounds each; under load: %lld connections held open by 500 idle sockets and 50 "
                "header drippers\n", rounds, static_cast<long long>(held));
    if (held < 550) {
      std::fprintf(stderr, "bench_slow_clients: only %lld of the 550 load sockets were open\n", static_cast<long long>(held));
      exitCode = 1;
    }
    bench::line("kiosk upload p99 under load (ms)", bench::percentile(loaded.upload, 0.99), "ms",
                bench::percentile(quiet.upload, 0.99), 1000);
    bench::line("staff results page p99 under load (ms)", bench::percentile(loaded.staff, 0.99), "ms",
                bench::percentile(quiet.staff, 0.99), 1000);
    bench::line("public ticket page p99 under load (ms)", bench::percentile(loaded.resident, 0.99), "ms",
                bench::percentile(quiet.resident, 0.99), 1000);
    api.stop();
    serving.join();
  }
  std::filesystem::remove_all(folder);
  return exitCode;
}
