// `minyi keygen|device|form upload|notice|import` and the `minyi-server` program, run as real processes.
#include "server_test_helpers.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <regex>

#include "../cli/run_command.h"
#include "minyi/protocol/provisioning.h"
#include "minyi/store/store.h"

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;

namespace {

Run runMinyi(const std::string& args) { return runCommand(MINYI_BIN, args); }

const std::string kForms = std::string(MINYI_ASSETS_DIR) + "/forms";

// The code `minyi device add` printed, as staff would read it off the screen.
std::string printedCode(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("enrollment code: ([0-9A-Z]{5}-[0-9A-Z]{5})"))) FAIL("no code in: " << out);
  return m[1];
}

// minyi-server as a child process; the port comes from the line it prints.
class ServerProcess {
 public:
  explicit ServerProcess(const std::string& config) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      ::execl(MINYI_SERVER_BIN, MINYI_SERVER_BIN, "--config", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
    char line[256] = {};
    if (std::fgets(line, sizeof line, out_)) firstLine = line;
    std::smatch m;
    if (std::regex_search(firstLine, m, std::regex("^minyi-server listening on http://127\\.0\\.0\\.1:([0-9]+)\n$")))
      port = std::stoi(m[1]);
  }
  ~ServerProcess() {
    if (pid_ > 0) stop();
    if (out_) std::fclose(out_);
  }
  // SIGTERM; returns the exit status (128 + signal when it died of one).
  int stop() {
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port); }

  std::string firstLine;
  int port = -1;

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

// A township's server folder as IT sets it up: key pair, data folder, configuration with port 0.
struct ServerFolder {
  TempDir dir;
  std::string data = dir.file("data"), keys = dir.file("keys"), config = dir.file("server.toml");
  ServerFolder() {
    REQUIRE(runMinyi("keygen --out " + quote(keys)).status == 0);
    REQUIRE(runMinyi("demo --places-only --data " + quote(data)).status == 0);
    writeFile(config, "[server]\nlisten = \"127.0.0.1\"\nport = 0\n[storage]\ndata_dir = \"data\"\n"
                      "[keys]\nkey_pair = \"keys/server.key\"\n");
  }
  protocol::KeyPair keyPair() const { return *protocol::readKeyPairFile(keys + "/server.key", nullptr); }
};

// A kiosk's USB export of `answers`, each sealed to `to`, for form `form` (saved in the kiosk's store first).
std::string kioskExport(const TempDir& dir, const server::StoredForm& form, const protocol::PublicKey& to,
                        const std::vector<std::string>& answers, const std::string& site = "donglian-culture") {
  store::StoreError error;
  auto kiosk = store::KioskStore::open(dir.file("kiosk.db"), &error);
  if (!kiosk) FAIL(error.message);
  store::StoredForm f{form.id, form.version, form.hash, form.kind, form.json, true, ""};
  REQUIRE(kiosk->saveForm(f).ok());
  for (const std::string& a : answers) {
    store::NewSubmission s{form.id, form.version, form.hash, form.kind, "", {"partial"}, store::newSubmissionId()};
    s.payload = protocol::sealAnswers(to, {s.id, form.id, form.version, ""}, core::Json::parse(a));
    REQUIRE(kiosk->commitSubmission(s).ok());
  }
  const std::string stick = dir.file("usb");
  fs::create_directories(stick);
  auto report = kiosk->exportOutbox(stick, {false, site, "kiosk-unknown-to-server", ""});
  if (!report.ok()) FAIL(report.error().message);
  REQUIRE(report.value().submissions == static_cast<int64_t>(answers.size()));
  return stick;
}

}  // namespace

TEST_CASE("keygen writes the key pair once and refuses to overwrite it", "[cli]") {
  TempDir dir;
  Run first = runMinyi("keygen --out " + quote(dir.file("keys")));
  CHECK(first.status == 0);
  CHECK_THAT(first.out, Contains("server.key"));
  REQUIRE(protocol::readKeyPairFile(dir.file("keys/server.key"), nullptr));
  const std::string before = readFile(dir.file("keys/server.key"));
  Run again = runMinyi("keygen --out " + quote(dir.file("keys")));
  CHECK(again.status != 0);
  CHECK_THAT(again.out, Contains("already exists"));
  CHECK(readFile(dir.file("keys/server.key")) == before);
}

TEST_CASE("a kiosk added with `minyi device add` enrolls with the printed code at the running minyi-server", "[cli]") {
  ServerFolder folder;
  Run added = runMinyi("device add --data " + quote(folder.data) + " --site donghu-dqfwzx --name 大厅一号机 --id kiosk-hall");
  REQUIRE(added.status == 0);
  const std::string code = printedCode(added.out);
  CHECK_THAT(runMinyi("device list --data " + quote(folder.data)).out, Contains("kiosk-hall  donghu-dqfwzx  大厅一号机  waiting for enrollment"));

  ServerProcess server(folder.config);
  REQUIRE(server.port > 0);
  auto health = server.client().Get("/api/v1/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  auto res = server.client().Post("/api/v1/enroll", protocol::toJson(protocol::EnrollRequest{code, "0.1.0", ""}).dump(),
                                  "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  auto reply = protocol::parseEnrollReply(res->body, nullptr);
  REQUIRE(reply);
  CHECK(reply->deviceId == "kiosk-hall");
  CHECK(reply->kioskNumber == 1);  // handed out at `device add` (issue #5: the first part of its ticket codes)
  CHECK_THAT(added.out, Contains("kiosk number 1"));
  CHECK(reply->publicKey == protocol::encodeKey(folder.keyPair().publicKey));
  const httplib::Headers auth{{"Authorization", "Bearer " + reply->token}, {"Minyi-Outbox", "12"}};
  REQUIRE(server.client().Get("/api/v1/forms", auth)->status == 200);
  // The command line and the running server share the data folder.
  Run listed = runMinyi("device list --data " + quote(folder.data));
  CHECK_THAT(listed.out, Contains("kiosk-hall  donghu-dqfwzx  大厅一号机  enrolled"));
  CHECK_THAT(listed.out, Contains("waiting 12  kiosk number 1"));

  CHECK(runMinyi("device revoke --data " + quote(folder.data) + " kiosk-hall").status == 0);
  auto refused = server.client().Get("/api/v1/forms", auth);
  REQUIRE(refused);
  CHECK(refused->status == 401);
  CHECK(protocol::parseApiError(refused->body)->code == "revoked");
  CHECK_THAT(runMinyi("device list --data " + quote(folder.data)).out, Contains("revoked"));
  CHECK(runMinyi("device revoke --data " + quote(folder.data) + " kiosk-nowhere").status == 1);
  CHECK(server.stop() == 0);  // SIGTERM is a clean stop
}

TEST_CASE("device add --provision-to writes a stick's file this server signed, which checks against provisioning-key, and a missing stick or an http address adds nothing",
          "[cli]") {
  ServerFolder folder;
  const std::string stick = folder.dir.file("usb");
  fs::create_directories(stick);
  const std::string key = " --key " + quote(folder.keys + "/server.key");
  Run added = runMinyi("device add --data " + quote(folder.data) + " --site donghu-dqfwzx --name 大厅一号机 --id kiosk-hall" +
                       " --provision-to " + quote(stick) + " --url https://minyi.township.example" + key);
  INFO(added.out);
  REQUIRE(added.status == 0);
  Run printed = runMinyi("provisioning-key" + key);
  REQUIRE(printed.status == 0);
  const std::string trusted = printed.out.substr(0, printed.out.find('\n'));
  CHECK(trusted == protocol::encodeKey(protocol::provisioningKey(folder.keyPair())));
  CHECK_THAT(added.out, Contains("provisioning_key = \"" + trusted + "\""));
  auto check = protocol::checkProvisioning(readFile(stick + "/minyi-provision-kiosk-hall.json"), *protocol::decodeKey(trusted),
                                           std::chrono::system_clock::now());
  INFO(check.detail);
  REQUIRE(check.file);
  CHECK(check.file->serverUrl == "https://minyi.township.example");
  CHECK(check.file->siteName == "东湖社区党群服务中心");
  CHECK(check.file->code == printedCode(added.out));
  CHECK(check.file->serverKey == protocol::encodeKey(folder.keyPair().publicKey));
  // Nothing half made: no stick, an address kiosks would refuse, no --url.
  for (const std::string& bad : {" --provision-to " + quote(folder.dir.file("no-stick")) + " --url https://minyi.township.example",
                                 " --provision-to " + quote(stick) + " --url http://minyi.township.example",
                                 " --provision-to " + quote(stick)}) {
    Run r = runMinyi("device add --data " + quote(folder.data) + " --site donghu-dqfwzx --id kiosk-second" + bad + key);
    INFO(bad << ": " << r.out);
    CHECK(r.status == 2);
  }
  CHECK(server::openDataFolder(folder.data)->devices().size() == 1);
}

TEST_CASE("device add at an unknown site lists the sites and adds nothing", "[cli]") {
  TempDir dir;
  REQUIRE(runMinyi("demo --places-only --data " + quote(dir.file("data"))).status == 0);
  Run r = runMinyi("device add --data " + quote(dir.file("data")) + " --site nowhere");
  CHECK(r.status == 2);
  CHECK_THAT(r.out, Contains("there is no site nowhere"));
  CHECK_THAT(r.out, Contains("huayuan-dqfwzx  花园社区党群服务中心"));
  CHECK(server::openDataFolder(dir.file("data"))->devices().empty());
}

TEST_CASE("a new data folder has no places: site list and device add say how to add them, demo --places-only adds the demo township once",
          "[cli]") {
  TempDir dir;
  const std::string data = quote(dir.file("data"));
  CHECK_THAT(runMinyi("site list --data " + data).out, Contains("none yet") && Contains("minyi site add"));
  Run refused = runMinyi("device add --data " + data + " --site donghu-dqfwzx");
  CHECK(refused.status == 2);
  CHECK_THAT(refused.out, Contains("there is no site donghu-dqfwzx") && Contains("none yet"));
  Run places = runMinyi("demo --places-only --data " + data);
  REQUIRE(places.status == 0);
  CHECK_THAT(places.out, Contains("3 communities, 6 sites (9 added now)"));
  CHECK_THAT(runMinyi("demo --places-only --data " + data).out, Contains("(0 added now)"));
  auto store = server::openDataFolder(dir.file("data"));
  CHECK(store->sites().size() == 6);
  CHECK(store->forms().empty());  // places only: no forms, kiosks or submissions
  CHECK(store->devices().empty());
  CHECK(store->submissionCount() == 0);
}

TEST_CASE("minyi-server refuses a configuration with problems, naming each key", "[cli]") {
  TempDir dir;
  writeFile(dir.file("bad.toml"), "[server]\nport = \"8080\"\nprot = 1\n[storage]\ndata_dir = \"data\"\n");
  ServerProcess server(dir.file("bad.toml"));
  CHECK(server.port == -1);
  const int status = server.stop();
  CHECK(status == 2);
}

TEST_CASE("minyi-server refuses a notification channel for a community the township does not have", "[cli][notify]") {
  ServerFolder folder;
  const std::string channel = "[notify]\ndashboard_url = \"https://minyi.example.gov.cn\"\n[[notify.channels]]\nname = \"群\"\n"
                              "kind = \"wecom\"\nurl = \"http://127.0.0.1:9/send?key=k\"\ncommunities = ";
  const std::string base = readFile(folder.config);
  writeFile(folder.config, base + channel + "[\"dongfang\"]\n");
  ServerProcess refused(folder.config);
  CHECK(refused.port == -1);
  CHECK(refused.stop() == 2);
  writeFile(folder.config, base + channel + "[\"donghu\"]\n");
  ServerProcess served(folder.config);
  CHECK(served.port > 0);
  CHECK(served.stop() == 0);  // the notifier's thread stops with the server
}

TEST_CASE("form upload checks the form with the engine, a changed text needs a new version", "[cli]") {
  TempDir dir;
  const std::string data = quote(dir.file("data"));
  REQUIRE(runMinyi("demo --places-only --data " + data).status == 0);
  Run ok = runMinyi("form upload --data " + data + " " + kForms + "/opinion.json --activate all");
  CHECK(ok.status == 0);
  CHECK_THAT(ok.out, Contains("uploaded form opinion version 2"));
  CHECK(runMinyi("form upload --data " + data + " " + kForms + "/opinion.json").status == 0);

  std::string text = readFile(kForms + "/opinion.json");
  text.replace(text.find("征求意见表"), std::string("征求意见表").size(), "意见表");
  writeFile(dir.file("opinion-changed.json"), text);
  Run taken = runMinyi("form upload --data " + data + " " + quote(dir.file("opinion-changed.json")));
  CHECK(taken.status == 1);
  CHECK_THAT(taken.out, Contains("raise \"version\""));

  writeFile(dir.file("broken.json"), R"({"minyi": {"id": "broken"}, "pages": [{"name": "p",
    "elements": [{"type": "signaturepad", "name": "sign"}]}]})");
  Run broken = runMinyi("form upload --data " + data + " " + quote(dir.file("broken.json")));
  CHECK(broken.status == 1);
  CHECK_THAT(broken.out, Contains("was not uploaded"));
  CHECK(runMinyi("form upload --data " + data + " " + kForms + "/quick.json --activate nowhere").status == 2);

  auto store = server::openDataFolder(dir.file("data"));
  CHECK(store->forms().size() == 2);  // opinion and quick; nothing of broken
  CHECK(store->activeForms("jiedao-office").size() == 1);
  CHECK(store->form("opinion", 2)->json == readFile(kForms + "/opinion.json"));
}

TEST_CASE("notice add publishes a notice for the sites named", "[cli]") {
  TempDir dir;
  REQUIRE(runMinyi("demo --places-only --data " + quote(dir.file("data"))).status == 0);
  Run r = runMinyi("notice add --data " + quote(dir.file("data")) +
                " --title-zh-cn 整改情况公示 --body-zh-cn 东湖社区楼道灯已修复。 --title-en Notice --body-en Fixed."
                " --site donghu-dqfwzx");
  CHECK(r.status == 0);
  auto store = server::openDataFolder(dir.file("data"));
  auto notices = store->noticesFor("donghu-dqfwzx", isoIn(std::chrono::seconds(1)), 100);
  REQUIRE(notices.size() == 1);
  CHECK(notices[0].title["zh-cn"] == "整改情况公示");
  CHECK(notices[0].body["en"] == "Fixed.");
  CHECK(store->noticesFor("huayuan-dqfwzx", isoIn(std::chrono::seconds(1)), 100).empty());
  CHECK(runMinyi("notice add --data " + quote(dir.file("data")) + " --title-zh-cn a --body-zh-cn b --until 明天").status == 2);
}

TEST_CASE("import of a kiosk's USB export stores each submission once, importing again finds all duplicate", "[cli]") {
  ServerFolder folder;
  REQUIRE(runMinyi("form upload --data " + quote(folder.data) + " " + kForms + "/civilized-city.json").status == 0);
  const auto form = shippedForm("civilized-city");
  const std::string stick = kioskExport(folder.dir, form, folder.keyPair().publicKey,
                                        {R"({"community":"donglian"})", R"({"community":"huayuan"})", R"({"community":"donghu"})"});
  const std::string cmd = "import --data " + quote(folder.data) + " --key " + quote(folder.keys + "/server.key") + " " + quote(stick);
  Run first = runMinyi(cmd);
  CHECK(first.status == 0);
  CHECK_THAT(first.out, Contains("imported 1 export: stored 3, duplicate 0, conflict 0, rejected 0"));
  Run second = runMinyi(cmd);
  CHECK(second.status == 0);
  CHECK_THAT(second.out, Contains("imported 1 export: stored 0, duplicate 3, conflict 0, rejected 0"));

  auto store = server::openDataFolder(folder.data);
  CHECK(store->submissionCount() == 3);
  store::StoreError error;
  auto kiosk = store::KioskStore::open(folder.dir.file("kiosk.db"), &error);
  REQUIRE(kiosk);
  auto pending = kiosk->pending(10);
  REQUIRE(pending.ok());
  auto kept = store->submission(pending.value()[0].id);
  REQUIRE(kept);
  CHECK(kept->via == "usb");
  CHECK(kept->siteId == "donglian-culture");
  CHECK(kept->deviceId.empty());  // the kiosk was never enrolled here
  CHECK(kept->envelope.flags == std::vector<std::string>{"partial"});
  CHECK(kept->answersJson == R"({"community":"donglian"})");
}

TEST_CASE("regression: a USB export of a revoked kiosk is refused unless an admin accepts it", "[cli]") {
  ServerFolder folder;
  REQUIRE(runMinyi("form upload --data " + quote(folder.data) + " " + kForms + "/civilized-city.json").status == 0);
  const auto form = shippedForm("civilized-city");
  const std::string stick = kioskExport(folder.dir, form, folder.keyPair().publicKey, {R"({"community":"donghu"})"});
  {
    // The kiosk the export names was added here and then revoked (lost, stolen).
    auto store = server::openDataFolder(folder.data);
    const auto now = std::chrono::system_clock::now();
    REQUIRE(store->addDevice(server::NewDevice{"kiosk-unknown-to-server", "donglian-culture", "大厅", protocol::sha256Hex("x"),
                                               protocol::isoUtc(now + std::chrono::hours(24)), protocol::isoUtc(now)}));
    REQUIRE(store->revokeDevice("kiosk-unknown-to-server", protocol::isoUtc(now)));
  }
  const std::string cmd = "import --data " + quote(folder.data) + " --key " + quote(folder.keys + "/server.key") + " " + quote(stick);
  Run refused = runMinyi(cmd);
  CHECK(refused.status != 0);
  CHECK_THAT(refused.out, Contains("revoked") && Contains("--accept-revoked") && Contains("nothing of it was imported"));
  CHECK(server::openDataFolder(folder.data)->submissionCount() == 0);
  Run accepted = runMinyi(cmd + " --accept-revoked");
  CHECK(accepted.status == 0);
  CHECK_THAT(accepted.out, Contains("stored 1"));
}

TEST_CASE("import refuses a damaged export whole and reports submissions sealed to another key", "[cli]") {
  ServerFolder folder;
  REQUIRE(runMinyi("form upload --data " + quote(folder.data) + " " + kForms + "/civilized-city.json").status == 0);
  const auto form = shippedForm("civilized-city");
  const auto otherKey = protocol::generateKeyPair().publicKey;
  const std::string cmd = "import --data " + quote(folder.data) + " --key " + quote(folder.keys + "/server.key") + " ";

  TempDir kioskA;
  const std::string stick = kioskExport(kioskA, form, otherKey, {R"({"community":"donghu"})"});
  Run wrongKey = runMinyi(cmd + quote(stick));
  CHECK(wrongKey.status == 1);
  CHECK_THAT(wrongKey.out, Contains("rejected: the sealed answers do not open"));
  CHECK_THAT(wrongKey.out, Contains("stored 0, duplicate 0, conflict 0, rejected 1"));

  TempDir kioskB;
  const std::string damaged = kioskExport(kioskB, form, folder.keyPair().publicKey, {R"({"community":"donghu"})"});
  for (const auto& entry : fs::directory_iterator(damaged)) {
    if (entry.path().extension() != ".jsonl") continue;
    std::string data = readFile(entry.path().string());
    data[data.size() / 2] = data[data.size() / 2] == 'A' ? 'B' : 'A';
    writeFile(entry.path().string(), data);
  }
  Run refused = runMinyi(cmd + quote(damaged));
  CHECK(refused.status == 1);
  CHECK_THAT(refused.out, Contains("does not match its manifest"));
  CHECK(server::openDataFolder(folder.data)->submissionCount() == 0);

  Run empty = runMinyi(cmd + quote(folder.dir.path()));
  CHECK(empty.status == 2);
  CHECK_THAT(empty.out, Contains("no minyi-export-*.manifest.json"));
}
