// A real minyi-server as a child process for end-to-end tests: started from a config, stopped politely or killed.
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace minyi::test {

class ServerProcess {
 public:
  // Writes <folder>/server.toml (port 0: the server picks one) and starts the server on it.
  ServerProcess(std::string binary, std::string folder, std::string dataDir, std::string keyPair)
      : binary_(std::move(binary)), config_(folder + "/server.toml") {
    std::ofstream(config_) << "[server]\nlisten = \"127.0.0.1\"\nport = 0\n[storage]\ndata_dir = \"" << dataDir
                           << "\"\n[keys]\nkey_pair = \"" << keyPair << "\"\n";
    start();
  }
  ~ServerProcess() { stop(SIGKILL); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }

  void start() {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      const int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 2);  // the server's stop message would clutter the test log
      ::execl(binary_.c_str(), binary_.c_str(), "--config", config_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    // "minyi-server listening on http://127.0.0.1:PORT"
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    const auto colon = line.rfind(':');
    if (line.find("listening on") == std::string::npos || colon == std::string::npos)
      throw std::runtime_error("minyi-server did not start: " + line);
    port_ = std::stoi(line.substr(colon + 1));
  }

  // SIGTERM: answers what is in progress, then exits. SIGKILL: a crash.
  void stop(int signal = SIGTERM) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  std::string binary_, config_;
  pid_t pid_ = -1;
  int port_ = -1;
};

}  // namespace minyi::test
