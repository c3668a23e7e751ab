// minyi-server: reads server.toml, opens the data folder and the key pair, serves /api/v1 (and tells staff through the notifier) until SIGTERM/SIGINT.
#include <CLI/CLI.hpp>
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "minyi/protocol/crypto.h"
#include "minyi/server/api_server.h"
#include "minyi/server/results.h"
#include "minyi/server/server_config.h"
#include "minyi/server/server_store.h"
#include "service_notifier.h"

using namespace minyi;

int main(int argc, char** argv) {
  CLI::App cli{"minyi-server — the township server for Minyi kiosks (docs/server.md)"};
  std::string configPath;
  cli.add_option("--config", configPath, "the server's TOML configuration (deploy/server.example.toml)")->required();
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }

  std::string error;
  auto config = server::loadServerConfig(configPath, &error);
  if (!config) {
    std::cerr << error << "\n";
    return 2;
  }
  auto keys = protocol::readKeyPairFile(config->keyPairFile, &error);
  if (!keys) {
    std::cerr << "minyi-server: " << error << "\n";
    return 2;
  }

  // SIGTERM/SIGINT are taken by one waiting thread, not a handler: stopping the server is not async-signal-safe.
  // Blocked here, before any thread starts, so that every thread inherits the mask.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a kiosk that hangs up mid-reply must not end the server

  try {
    auto store = server::openStorage(config->storage());
    // The dashboard's answer counts must match the stored submissions (after an upgrade they may not yet).
    for (const std::string& f : server::reconcileTallies(*store))
      std::cerr << "minyi-server: counted the answers of form " << f << " again\n";
    // A new township's server: kiosks cannot be added until its places exist, so say where they are added.
    if (store->sites().empty())
      std::cerr << "minyi-server: this township has no sites yet: add its communities and sites on the dashboard's "
                   "地点管理 page (/staff/places) or with `minyi community add` and `minyi site add`\n";
    // A channel for a community the township does not have would never hear anything: refused, like a bad key.
    const auto problems = server::unknownCommunities(config->notify, *store);
    for (const std::string& p : problems) std::cerr << configPath << ": " << p << "\n";
    if (!problems.empty()) return 2;
    server::ApiOptions options;
    options.version = MINYI_VERSION;
    options.threads = config->threads;
    options.connections = config->connections;
    options.logRequests = config->logRequests;
    options.trustedProxies = config->trustedProxies;
    options.dashboard.secureCookies = config->secureCookies;
    options.dashboard.fleet = config->fleet;
    options.tlsCertFile = config->tlsCertFile;
    options.tlsKeyFile = config->tlsKeyFile;
    options.tickets = std::make_shared<const server::TicketPolicy>(config->tickets);
    options.notify = std::make_shared<const server::NotifyPolicy>(config->notify);
    server::ApiServer api(*store, *keys, options);
    const int port = api.bind(config->listen, config->port);
    if (port < 0) {
      std::cerr << "minyi-server: cannot listen on " << config->listen << " port " << config->port
                << " (in use, or a port below 1024 without the right to use it?)\n";
      return 1;
    }
    std::thread waiter([&api, stopSignals] {
      int sig = 0;
      sigwait(&stopSignals, &sig);
      api.stop();
    });
    std::printf("minyi-server listening on %s://%s:%d\n", api.tls() ? "https" : "http", config->listen.c_str(), port);
    std::fflush(stdout);
    // Alive while the database answers a read: a store stuck on a lock gets the server restarted by systemd.
    server::ServiceNotifier service([&store] {
      store->sites();
      return true;
    });
    service.ready(std::string("serving ") + (api.tls() ? "https" : "http") + " on " + config->listen + ":" + std::to_string(port));
    const bool served = api.run();
    service.stopping();
    // When run() ended for another reason, the waiter still waits: wake it (it takes the signal) and join it.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    if (!served) {
      std::cerr << "minyi-server: the server stopped unexpectedly\n";
      return 1;
    }
    std::cerr << "minyi-server: stopped\n";
  } catch (const std::exception& e) {
    std::cerr << "minyi-server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
