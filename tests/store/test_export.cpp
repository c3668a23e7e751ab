// USB export of the outbox: the JSON-lines file, the manifest's counts and SHA-256, no temp files, folder errors.
#include <catch2/catch.hpp>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "store_test_helpers.h"

using namespace minyi::store;
using namespace minyi::test;
using Catch::Matchers::Contains;

namespace {

std::string sha256Hex(const std::string& bytes) {
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, d, sizeof d);
  return hex;
}

std::string fromBase64(const std::string& text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  REQUIRE(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                            &len, nullptr, sodium_base64_VARIANT_ORIGINAL) == 0);
  out.resize(len);
  return out;
}

std::vector<nlohmann::json> jsonLines(const std::string& text) {
  std::vector<nlohmann::json> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    REQUIRE(nl != std::string::npos);  // every line ends with a newline
    out.push_back(nlohmann::json::parse(text.substr(start, nl - start)));
    start = nl + 1;
  }
  return out;
}

std::vector<std::string> filesIn(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(folder)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("exporting writes the pending submissions as JSON lines and a manifest with counts and SHA-256",
          "[store][export]") {
  TempDir dir;
  const std::string usb = dir.file("usb");
  std::filesystem::create_directory(usb);
  auto s = storeWithForm(dir.file("kiosk.db"));
  std::vector<std::string> ids;
  const std::string binary("\x00\x01sealed\xfe\xff", 10);
  for (const std::string& payload : {std::string(R"({"q1": "满意"})"), binary, std::string("c"), std::string("d"),
                                     std::string("e")}) {
    NewSubmission n = sampleSubmission(sampleForm(), payload);
    if (payload == "c") n.flags = {"misuse"};
    ids.push_back(s->commitSubmission(n).value());
  }
  REQUIRE(s->markSent({ids[3]}).ok());
  REQUIRE(s->markConflict(ids[4], "different content").ok());

  ExportOptions options;
  options.siteId = "donghu";
  options.deviceId = "kiosk-7";
  options.kioskId = "kiosk-0a1b2c3d";
  auto r = s->exportOutbox(usb, options);
  REQUIRE(r.ok());
  const ExportReport& rep = r.value();
  CHECK(rep.submissions == 4);
  CHECK(rep.counts.pending == 3);
  CHECK(rep.counts.conflict == 1);
  CHECK(rep.counts.sent == 0);

  const std::string data = readFile(rep.dataPath);
  CHECK(rep.dataBytes == data.size());
  CHECK(rep.dataSha256 == sha256Hex(data));
  auto lines = jsonLines(data);
  REQUIRE(lines.size() == 4);
  CHECK(lines[3]["state"] == "conflict");
  CHECK(lines[3]["last_error"] == "different content");
  CHECK(lines[0]["id"] == ids[0]);
  CHECK(lines[0]["form_id"] == "civilized-city");
  CHECK(lines[0]["form_version"] == 3);
  CHECK(lines[0]["form_hash"] == "a1b2c3");
  CHECK(lines[0]["kind"] == "survey");
  CHECK(lines[0]["state"] == "pending");
  CHECK(fromBase64(lines[0]["payload"]) == R"({"q1": "满意"})");
  CHECK(fromBase64(lines[1]["payload"]) == binary);
  CHECK(lines[2]["flags"] == nlohmann::json::array({"misuse"}));
  CHECK(lines[2]["created_at"].get<std::string>().size() == 24);

  auto manifest = nlohmann::json::parse(readFile(rep.manifestPath));
  CHECK(manifest["format"] == "minyi-outbox-export");
  CHECK(manifest["format_version"] == 1);
  CHECK(manifest["scope"] == "unsent");
  CHECK(manifest["site_id"] == "donghu");
  CHECK(manifest["device_id"] == "kiosk-7");
  CHECK(manifest["kiosk_id"] == "kiosk-0a1b2c3d");
  CHECK(manifest["data_file"] == std::filesystem::path(rep.dataPath).filename().string());
  CHECK(manifest["data_bytes"] == data.size());
  CHECK(manifest["data_sha256"] == sha256Hex(data));
  CHECK(manifest["submissions"] == 4);  // the conflicting one too, marked, for staff to deliver by hand
  CHECK(manifest["counts"]["pending"] == 3);
  CHECK(manifest["counts"]["conflict"] == 1);

  // Only the two files, no temp names; exporting changed nothing in the outbox.
  auto names = filesIn(usb);
  REQUIRE(names.size() == 2);
  CHECK_THAT(names[0], Contains("minyi-export-") && Contains(".jsonl"));
  CHECK_THAT(names[1], Contains(".manifest.json"));
  auto c = s->counts().value();
  CHECK(c.pending == 3);
  CHECK(c.sent == 1);

  SECTION("everything, and a second export in the same second gets its own names") {
    options.includeAll = true;
    auto all = s->exportOutbox(usb, options);
    REQUIRE(all.ok());
    CHECK(all.value().dataPath != rep.dataPath);
    CHECK(all.value().submissions == 5);
    CHECK(all.value().counts.pending == 3);
    CHECK(all.value().counts.sent == 1);
    CHECK(all.value().counts.conflict == 1);
    auto allLines = jsonLines(readFile(all.value().dataPath));
    REQUIRE(allLines.size() == 5);
    CHECK(allLines[3]["state"] == "sent");
    CHECK(allLines[3]["sent_at"].is_string());
    CHECK(allLines[4]["last_error"] == "different content");
    CHECK(nlohmann::json::parse(readFile(all.value().manifestPath))["scope"] == "all");
    CHECK(filesIn(usb).size() == 4);
  }
  SECTION("an empty outbox still gives a manifest, with zero counts") {
    REQUIRE(s->markSent({ids[0], ids[1], ids[2]}).ok());
    REQUIRE(s->retryUnsettled().value() == 1);  // the conflicting one, sent again and taken this time
    REQUIRE(s->markSent({ids[4]}).ok());
    auto empty = s->exportOutbox(usb);
    REQUIRE(empty.ok());
    CHECK(empty.value().submissions == 0);
    CHECK(readFile(empty.value().dataPath).empty());
    CHECK(empty.value().dataSha256 == sha256Hex(""));
  }
}

TEST_CASE("exporting to a missing, unwritable or non-folder path is an error in words and leaves nothing",
          "[store][export]") {
  TempDir dir("/tmp");
  openToEveryone(dir.path());
  const std::string db = dir.file("kiosk.db");
  {
    auto s = storeWithForm(db);
    REQUIRE(s->commitSubmission(sampleSubmission(sampleForm())).ok());
    auto missing = s->exportOutbox(dir.file("no-stick"));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == StoreError::Code::NotFound);
    CHECK_THAT(missing.error().message, Contains("does not exist"));
    writeFile(dir.file("a-file"), "x");
    auto notFolder = s->exportOutbox(dir.file("a-file"));
    REQUIRE_FALSE(notFolder.ok());
    CHECK_THAT(notFolder.error().message, Contains("not a folder"));
  }
  // Unwritable: as the unprivileged user (root would write anyway), the store opened by that user.
  const std::string own = dir.file("own");
  const std::string usb = dir.file("usb-ro");
  std::filesystem::create_directory(own);
  std::filesystem::create_directory(usb);
  REQUIRE(::chown(own.c_str(), ::geteuid() == 0 ? 65534 : ::geteuid(), static_cast<gid_t>(-1)) == 0);
  ::chmod(usb.c_str(), 0555);
  const int rc = runUnprivileged([own, usb] {
    auto s = KioskStore::open(own + "/kiosk.db", nullptr);
    if (!s || !s->saveForm(sampleForm()).ok() || !s->commitSubmission(sampleSubmission(sampleForm())).ok()) return 2;
    auto r = s->exportOutbox(usb);
    if (r.ok()) return 3;
    if (r.error().code != StoreError::Code::ReadOnly) return 4;
    return r.error().message.find("no permission") != std::string::npos ? 0 : 5;
  });
  CHECK(rc == 0);
  CHECK(filesIn(usb).empty());
}
