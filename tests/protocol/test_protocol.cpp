// Sync protocol v1: sealing, key files, and the checks every message passes on parse.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "minyi/protocol/address.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/sealed_answers.h"
#include "minyi/protocol/messages.h"
#include "minyi/protocol/ticket.h"
#include "minyi/protocol/codes.h"

#include <random>
#include <set>
#include "minyi/protocol/times.h"
#include "minyi/protocol/usb_export.h"
#include "minyi/protocol/provisioning.h"
#include "minyi/core/json_input.h"

using namespace minyi::protocol;
namespace fs = std::filesystem;

namespace {

Envelope sampleEnvelope(const KeyPair& keys) {
  Envelope e;
  e.id = "0f8fad5b-d9cb-469f-a165-70867728950e";
  e.formId = "opinion";
  e.formVersion = 3;
  e.formHash = sha256Hex("form text");
  e.kind = "survey";
  e.createdAt = "2026-11-27T08:00:00.123Z";
  e.flags = {"partial"};
  e.sealed = seal(keys.publicKey, R"({"q1":"满意"})");
  return e;
}

fs::path tempFolder(const char* name) {
  fs::path p = fs::temp_directory_path() / (std::string("minyi-protocol-") + name + "-" + randomHex(4));
  fs::create_directories(p);
  return p;
}

}  // namespace

TEST_CASE("a sealed payload opens only with the server's key pair") {
  const KeyPair server = generateKeyPair(), other = generateKeyPair();
  const std::string answers = R"({"satisfaction":"满意","comment":"楼道灯坏了"})";
  const std::string sealed = seal(server.publicKey, answers);
  CHECK(sealed.find("楼道") == std::string::npos);
  CHECK(openSealed(server, sealed) == answers);
  CHECK_FALSE(openSealed(other, sealed));
  std::string tampered = sealed;
  tampered[tampered.size() / 2] ^= 1;
  CHECK_FALSE(openSealed(server, tampered));
  CHECK_FALSE(openSealed(server, sealed.substr(0, 20)));
  CHECK(seal(server.publicKey, answers) != sealed);  // fresh ephemeral key every time
}

TEST_CASE("sealed answers carry their binding: opened, the envelope must match it") {
  const KeyPair server = generateKeyPair();
  const minyi::core::Json answers = {{"satisfaction", "满意"}, {"comment", "楼道灯坏了"}};
  Envelope e;
  e.id = "0b6f3c1e-2d4a-4c5b-9e8f-1a2b3c4d5e6f";
  e.formId = "civilized-city";
  e.formVersion = 3;
  const std::string sealed = sealAnswers(server.publicKey, {e.id, e.formId, e.formVersion, "kiosk-7"}, answers);
  std::string why;
  auto opened = openAnswers(server, sealed, 1024 * 1024, &why);
  INFO(why);
  REQUIRE(opened);
  CHECK(opened->answers == answers);
  CHECK(opened->text == answers.dump());  // the order the kiosk wrote, kept
  CHECK(opened->binding.submissionId == e.id);
  CHECK(opened->binding.deviceId == "kiosk-7");
  // Sent by the kiosk it names: by its device id (older kiosks sealed with that) or its own id.
  CHECK_FALSE(bindingMismatch(opened->binding, e, {"kiosk-7", ""}));
  CHECK_FALSE(bindingMismatch(opened->binding, e, {"donghu-2", "kiosk-7"}));  // enrolled again under a new device id
  auto other = e;
  other.id = "1b6f3c1e-2d4a-4c5b-9e8f-1a2b3c4d5e6f";
  CHECK(bindingMismatch(opened->binding, other, {"kiosk-7", ""}));
  other = e;
  other.formVersion = 2;
  CHECK(bindingMismatch(opened->binding, other, {"kiosk-7", "kiosk-7"}));
  CHECK(bindingMismatch(opened->binding, e, {"kiosk-8", ""}));
  CHECK(bindingMismatch(opened->binding, e, {"kiosk-8", "kiosk-8"}));
  CHECK(bindingMismatch(opened->binding, e, {"", ""}));  // a USB stick of a kiosk nobody knows
  CHECK_THAT(*bindingMismatch(opened->binding, e, {"", ""}), Catch::Matchers::Contains("does not know"));
  // Sealed before enrolment: no device, so any kiosk may carry it (its id and form still bind it).
  auto early = openAnswers(server, sealAnswers(server.publicKey, {e.id, e.formId, e.formVersion, ""}, answers), 1 << 20, &why);
  REQUIRE(early);
  CHECK_FALSE(bindingMismatch(early->binding, e, {"kiosk-8", ""}));
  // Not bound, not an object, too large, another key: each refused with its sentence.
  CHECK_FALSE(openAnswers(server, seal(server.publicKey, answers.dump()), 1 << 20, &why));
  CHECK_THAT(why, Catch::Matchers::Contains("no binding"));
  CHECK_FALSE(openAnswers(server, sealAnswers(server.publicKey, {e.id, e.formId, 3, ""}, minyi::core::Json::array()), 1 << 20, &why));
  CHECK_THAT(why, Catch::Matchers::Contains("not a JSON object"));
  const minyi::core::Json big = {{"comment", std::string(2000, 'x')}};
  CHECK_FALSE(openAnswers(server, sealAnswers(server.publicKey, {e.id, e.formId, 3, ""}, big), 1000, &why));
  CHECK_THAT(why, Catch::Matchers::Contains("bytes, more than"));
  CHECK_FALSE(openAnswers(generateKeyPair(), sealed, 1 << 20, &why));
  CHECK_THAT(why, Catch::Matchers::Contains("do not open"));
}

TEST_CASE("keygen files: secret key private, public key readable, never overwritten") {
  const fs::path dir = tempFolder("keys");
  const KeyPair keys = generateKeyPair();
  std::string error;
  REQUIRE(writeKeyFiles(dir.string(), keys, &error));
  struct stat st {};
  REQUIRE(::stat((dir / "server.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto pair = readKeyPairFile((dir / "server.key").string(), &error);
  REQUIRE(pair);
  CHECK(pair->secretKey == keys.secretKey);
  auto pub = readPublicKeyFile((dir / "server.pub").string(), &error);
  REQUIRE(pub);
  CHECK(*pub == keys.publicKey);
  CHECK_FALSE(writeKeyFiles(dir.string(), generateKeyPair(), &error));
  CHECK_THAT(error, Catch::Contains("already exists"));
  // A key file whose halves do not belong together is refused, not used.
  const KeyPair other = generateKeyPair();
  std::ofstream((dir / "mixed.key").string()) << encodeKey(keys.publicKey) << "\n" << encodeKey(other.secretKey) << "\n";
  CHECK_FALSE(readKeyPairFile((dir / "mixed.key").string(), &error));
  CHECK_THAT(error, Catch::Contains("does not belong"));
  std::ofstream((dir / "junk.pub").string()) << "hello\n";
  CHECK_FALSE(readPublicKeyFile((dir / "junk.pub").string(), &error));
  fs::remove_all(dir);
}

TEST_CASE("base64 and key text round-trip, bad text is refused") {
  CHECK(base64Encode("") == "");
  CHECK(base64Decode(base64Encode(std::string("\0\1\2\xff", 4))) == std::string("\0\1\2\xff", 4));
  CHECK_FALSE(base64Decode("not base64!"));
  CHECK_FALSE(base64Decode("QUJD\nREVG"));
  CHECK_FALSE(decodeKey(base64Encode("short")));
  const KeyPair k = generateKeyPair();
  CHECK(decodeKey(encodeKey(k.publicKey)) == k.publicKey);
}

TEST_CASE("a submission batch round-trips through its JSON") {
  const KeyPair keys = generateKeyPair();
  SubmissionBatch batch{{sampleEnvelope(keys)}};
  std::string error;
  auto parsed = parseSubmissionBatch(toJson(batch).dump(), &error);
  REQUIRE(parsed);
  REQUIRE(parsed->submissions.size() == 1);
  const Envelope& e = parsed->submissions[0];
  CHECK(e.id == batch.submissions[0].id);
  CHECK(e.formVersion == 3);
  CHECK(e.flags == std::vector<std::string>{"partial"});
  CHECK(openSealed(keys, e.sealed) == R"({"q1":"满意"})");
}

TEST_CASE("a malformed submission is refused naming the field") {
  const KeyPair keys = generateKeyPair();
  auto check = [&](auto change, const char* field) {
    Json j = toJson(SubmissionBatch{{sampleEnvelope(keys)}});
    change(j["submissions"][0]);
    std::string error;
    CHECK_FALSE(parseSubmissionBatch(j.dump(), &error));
    CHECK_THAT(error, Catch::Contains(field));
  };
  check([](Json& e) { e["id"] = "0F8FAD5B-D9CB-469F-A165-70867728950E"; }, "id");
  check([](Json& e) { e.erase("form_hash"); }, "form_hash");
  check([](Json& e) { e["form_hash"] = "abc"; }, "form_hash");
  check([](Json& e) { e["kind"] = "vote"; }, "kind");
  check([](Json& e) { e["created_at"] = "2026-13-01T00:00:00Z"; }, "created_at");
  check([](Json& e) { e["form_version"] = 0; }, "form_version");
  check([](Json& e) { e["form_version"] = "1"; }, "form_version");
  check([](Json& e) { e["flags"] = Json::array({"Misuse!"}); }, "flags");
  check([](Json& e) { e["sealed"] = "@@@"; }, "sealed");
  check([](Json& e) { e["sealed"] = base64Encode("too short to be sealed"); }, "sealed");
  // Invalid UTF-8 cannot even be built as a Json value, so it is spliced into the text.
  std::string text = toJson(SubmissionBatch{{sampleEnvelope(keys)}}).dump();
  text.replace(text.find("opinion"), 7, "\xff\xfe");
  std::string error;
  CHECK_FALSE(parseSubmissionBatch(text, &error));
  CHECK_THAT(error, Catch::Contains("UTF-8"));
}

TEST_CASE("a batch over 100, a repeated id, or a body that is not JSON is refused") {
  const KeyPair keys = generateKeyPair();
  SubmissionBatch big;
  for (int i = 0; i < 101; ++i) {
    Envelope e = sampleEnvelope(keys);
    char id[37];
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", i);
    e.id = id;
    big.submissions.push_back(e);
  }
  std::string error;
  CHECK_FALSE(parseSubmissionBatch(toJson(big).dump(), &error));
  CHECK_THAT(error, Catch::Contains("at most 100"));
  SubmissionBatch twice{{sampleEnvelope(keys), sampleEnvelope(keys)}};
  CHECK_FALSE(parseSubmissionBatch(toJson(twice).dump(), &error));
  CHECK_THAT(error, Catch::Contains("twice"));
  CHECK_FALSE(parseSubmissionBatch("<html>login</html>", &error));
  CHECK_FALSE(parseSubmissionBatch("[]", &error));
  CHECK_FALSE(parseSubmissionBatch(std::string(30, '['), &error));
}

TEST_CASE("a batch reply must answer exactly the ids that were sent") {
  const std::vector<std::string> sent = {"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"};
  BatchReply good{{{sent[0], Outcome::Stored, ""}, {sent[1], Outcome::Conflict, "same id, other content"}}};
  std::string error;
  auto r = parseBatchReply(toJson(good).dump(), sent, &error);
  REQUIRE(r);
  CHECK(r->results[1].outcome == Outcome::Conflict);
  CHECK(r->results[1].reason == "same id, other content");

  // A captive portal's 200, an empty object, a truncated body, a missing or foreign id: all failures.
  CHECK_FALSE(parseBatchReply("<html><body>Welcome to FreeWiFi</body></html>", sent, &error));
  CHECK_FALSE(parseBatchReply("{}", sent, &error));
  const std::string whole = toJson(good).dump();
  CHECK_FALSE(parseBatchReply(whole.substr(0, whole.size() - 3), sent, &error));
  BatchReply partial{{{sent[0], Outcome::Stored, ""}}};
  CHECK_FALSE(parseBatchReply(toJson(partial).dump(), sent, &error));
  CHECK_THAT(error, Catch::Contains("not answered"));
  BatchReply foreign{{{sent[0], Outcome::Stored, ""}, {sent[1], Outcome::Stored, ""},
                      {"00000000-0000-4000-8000-000000000003", Outcome::Stored, ""}}};
  CHECK_FALSE(parseBatchReply(toJson(foreign).dump(), sent, &error));
  Json odd = toJson(good);
  odd["results"][0]["status"] = "maybe";
  CHECK_FALSE(parseBatchReply(odd.dump(), sent, &error));
}

TEST_CASE("enrollment requests: the kiosk's own id is optional and checked when given") {
  std::string why;
  auto with = parseEnrollRequest(toJson(EnrollRequest{"K3M9Q-2XH7R", "0.1.0", "kiosk-3f9a0c1d"}).dump(), &why);
  REQUIRE(with);
  CHECK(with->kioskId == "kiosk-3f9a0c1d");
  auto without = parseEnrollRequest(R"({"code":"K3M9Q-2XH7R","app_version":"0.1.0"})", &why);
  REQUIRE(without);
  CHECK(without->kioskId.empty());
  CHECK(toJson(*without).dump().find("kiosk_id") == std::string::npos);
  for (const char* bad : {R"("")", R"("kiosk 7")", R"("<script>")", R"(7)", "\"" "k\\u0000" "\""}) {
    INFO(bad);
    CHECK_FALSE(parseEnrollRequest(std::string(R"({"code":"K3M9Q-2XH7R","kiosk_id":)") + bad + "}", &why));
    CHECK_THAT(why, Catch::Contains("kiosk_id"));
  }
  CHECK_FALSE(parseEnrollRequest(R"({"code":"K3M9Q-2XH7R","kiosk_id":")" + std::string(65, 'a') + "\"}", &why));
}

TEST_CASE("enrollment, forms and notices replies are checked") {
  const KeyPair keys = generateKeyPair();
  EnrollReply reply{"dev-1", randomHex(32), "donghu", "东湖社区党群服务中心", encodeKey(keys.publicKey)};
  std::string error;
  auto parsed = parseEnrollReply(toJson(reply).dump(), &error);
  REQUIRE(parsed);
  CHECK(parsed->siteName == "东湖社区党群服务中心");
  Json bad = toJson(reply);
  bad["public_key"] = "xyz";
  CHECK_FALSE(parseEnrollReply(bad.dump(), &error));

  FormsReply forms{{{"opinion", 2, formContentHash("{\"pages\": [ ]}"), "{\"pages\": [ ]}"}}};
  CHECK(forms.forms[0].hash == sha256Hex("{\"pages\":[]}"));
  REQUIRE(parseFormsReply(toJson(forms).dump(), &error));
  forms.forms[0].json = "{\"pages\":[1]}";  // text changed, hash not: damaged in transit
  CHECK_FALSE(parseFormsReply(toJson(forms).dump(), &error));
  CHECK_THAT(error, Catch::Contains("hash"));

  Notice n;
  n.id = "n-1";
  n.title = Json{{"zh-cn", "整改情况公示"}};
  n.body = Json{{"zh-cn", "东湖社区楼道灯已修复。"}};
  n.publishedAt = "2026-11-20T02:00:00Z";
  REQUIRE(parseNoticesReply(toJson(NoticesReply{{n}}).dump(), &error));
  Json badNotice = toJson(NoticesReply{{n}});
  badNotice["notices"][0]["title"] = Json{{"fr", "Avis"}};
  CHECK_FALSE(parseNoticesReply(badNotice.dump(), &error));
}

TEST_CASE("value shapes") {
  CHECK(isIsoUtc("2026-11-27T08:00:00Z"));
  CHECK(isIsoUtc("2026-11-27T08:00:00.123Z"));
  CHECK_FALSE(isIsoUtc("2026-11-27 08:00:00"));
  CHECK_FALSE(isIsoUtc("2026-11-27T24:00:00Z"));
  CHECK(isFlagWord("misuse"));
  CHECK_FALSE(isFlagWord(""));
  CHECK_FALSE(isFormId(""));
  CHECK(isFormId("民意-opinion.v2"));
  CHECK(constantTimeEqual("abc", "abc"));
  CHECK_FALSE(constantTimeEqual("abc", "abd"));
  CHECK_FALSE(constantTimeEqual("abc", "ab"));
}

TEST_CASE("Crockford codes: what staff type is forgiven, what cannot be a code is refused") {
  CHECK(normalizeCrockford("k3m9q-2xh7r") == "K3M9Q2XH7R");
  CHECK(normalizeCrockford(" K3M9Q 2XH7R ") == "K3M9Q2XH7R");
  CHECK(normalizeCrockford("O1IL") == "0111");  // the letters people mistake for digits
  CHECK_FALSE(normalizeCrockford("K3M9Q-2XH7U"));  // U is not in the alphabet
  CHECK_FALSE(normalizeCrockford("东湖"));
  CHECK_FALSE(normalizeCrockford("K3M9Q;2XH7R"));
  CHECK_FALSE(normalizeCrockford(" - "));
  CHECK(groupCode("K3M9Q2XH7R") == "K3M9Q-2XH7R");
  CHECK(groupCode("ABC", 5) == "ABC");

  CHECK(crockfordEncode(0, 4) == "0000");
  CHECK(crockfordEncode(31, 2) == "0Z");
  CHECK(crockfordEncode(32, 2) == "10");
  CHECK(crockfordDecode("10") == 32u);
  CHECK(crockfordDecode(crockfordEncode(0x3FFFFFFFFFFFFFFull, 12)) == 0x3FFFFFFFFFFFFFFull);
  CHECK_FALSE(crockfordDecode("1U"));
  CHECK_FALSE(crockfordDecode("0000000000000"));  // 13 symbols: more than 64 bits

  const std::string code = randomCrockford(10);
  CHECK(code.size() == 10);
  CHECK(normalizeCrockford(code) == code);
  CHECK(randomCrockford(10) != code);  // 50 random bits: a repeat means the random source is broken
}

TEST_CASE("times are UTC ISO-8601 with milliseconds, in the shape the protocol checks") {
  using namespace std::chrono;
  const system_clock::time_point t{milliseconds(1795766400123)};
  CHECK(isoUtc(t) == "2026-11-27T08:00:00.123Z");
  CHECK(isIsoUtc(isoUtc(system_clock::now())));
  CHECK(isoUtc(system_clock::time_point{milliseconds(-1)}) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("ticket codes: ten symbols in two groups, unique per kiosk and serial, readable back") {
  const std::string code = makeTicketCode(7, 1);
  CHECK(code.size() == 11);
  CHECK(code[5] == '-');
  CHECK(checkTicketCode(code).check == TicketCode::Check::Ok);
  CHECK(checkTicketCode(code).code == code.substr(0, 5) + code.substr(6));
  // Different kiosks or serials never share a code.
  std::set<std::string> seen;
  for (uint32_t kiosk : {1u, 2u, 7u, 8191u})
    for (uint32_t serial : {1u, 2u, 3u, 1000u, 4294967295u}) CHECK(seen.insert(makeTicketCode(kiosk, serial)).second);
  CHECK_THROWS(makeTicketCode(0, 1));
  CHECK_THROWS(makeTicketCode(8192, 1));
  CHECK_THROWS(makeTicketCode(1, 0));
  // Typed the way people type: lower case, spaces, O for 0, I or L for 1.
  std::string sloppy = code;
  for (char& c : sloppy) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '0') c = 'o';
    if (c == '1') c = 'l';
  }
  CHECK(checkTicketCode(" " + sloppy + " ").check == TicketCode::Check::Ok);
  CHECK(checkTicketCode("K3M9Q").check == TicketCode::Check::Malformed);
  CHECK(checkTicketCode("投诉编号").check == TicketCode::Check::Malformed);
  CHECK(checkTicketCode("").check == TicketCode::Check::Malformed);
  // Who made it, read back: the server checks a kiosk files only its own codes.
  for (uint32_t kiosk : {1u, 7u, 8191u})
    for (uint32_t serial : {1u, 1000u, 4294967295u}) {
      const auto origin = ticketOrigin(makeTicketCode(kiosk, serial));
      REQUIRE(origin);
      CHECK(origin->kioskNumber == kiosk);
      CHECK(origin->serial == serial);
    }
  CHECK_FALSE(ticketOrigin("K3M9Q"));
  std::string mistyped = checkTicketCode(code).code;
  mistyped[3] = mistyped[3] == 'Z' ? 'Y' : 'Z';
  CHECK_FALSE(ticketOrigin(mistyped));
}

TEST_CASE("the check symbol catches every single typo and every swap of neighbours") {
  std::mt19937 random(20261127);
  int checked = 0;
  for (int n = 0; n < 300; ++n) {
    const uint32_t kiosk = 1 + random() % 8191, serial = 1 + random() % 100000000;
    const std::string code = checkTicketCode(makeTicketCode(kiosk, serial)).code;
    for (size_t i = 0; i < code.size(); ++i) {
      for (const char* s = kCrockfordAlphabet; *s; ++s) {
        if (*s == code[i]) continue;
        std::string typo = code;
        typo[i] = *s;
        CHECK(checkTicketCode(typo).check == TicketCode::Check::Mistyped);
        ++checked;
      }
      if (i + 1 < code.size() && code[i] != code[i + 1]) {
        std::string swapped = code;
        std::swap(swapped[i], swapped[i + 1]);
        CHECK(checkTicketCode(swapped).check == TicketCode::Check::Mistyped);
        ++checked;
      }
    }
  }
  CHECK(checked > 90000);
}

TEST_CASE("the QR link carries the code and an unguessable key") {
  const std::string key = newTicketAccessKey();
  CHECK(key.size() == 16);  // 80 bits
  CHECK(key != newTicketAccessKey());
  CHECK(ticketLink("https://minyi.example.gov.cn/", "K3M9Q2XH7R", key) == "https://minyi.example.gov.cn/t/K3M9Q2XH7R?k=" + key);
}

TEST_CASE("a complaint's envelope carries its ticket code in the clear and its access key sealed") {
  const KeyPair keys = generateKeyPair();
  Envelope e = sampleEnvelope(keys);
  e.kind = "complaint";
  e.ticketCode = checkTicketCode(makeTicketCode(12, 345)).code;
  e.ticketKeySealed = seal(keys.publicKey, newTicketAccessKey());
  std::string error;
  auto back = parseSubmissionBatch(toJson(SubmissionBatch{{e}}).dump(), &error);
  REQUIRE(back);
  CHECK(back->submissions[0].ticketCode == e.ticketCode);
  CHECK(openSealed(keys, back->submissions[0].ticketKeySealed)->size() == 16);
  // A mistyped code, or a ticket on a survey, is refused.
  Json bad = toJson(SubmissionBatch{{e}});
  std::string code = e.ticketCode;
  code[3] = code[3] == 'A' ? 'B' : 'A';
  bad["submissions"][0]["ticket"]["code"] = code;
  CHECK_FALSE(parseSubmissionBatch(bad.dump(), &error));
  CHECK_THAT(error, Catch::Contains("ticket.code"));
  Json survey = toJson(SubmissionBatch{{e}});
  survey["submissions"][0]["kind"] = "survey";
  CHECK_FALSE(parseSubmissionBatch(survey.dump(), &error));
  // Enrollment may hand out the kiosk's number for its codes.
  EnrollReply reply{"dev-1", "tok", "donghu", "东湖", encodeKey(keys.publicKey), 12};
  CHECK(parseEnrollReply(toJson(reply).dump(), &error)->kioskNumber == 12);
  Json odd = toJson(reply);
  odd["kiosk_number"] = 9000;
  CHECK_FALSE(parseEnrollReply(odd.dump(), &error));
}

TEST_CASE("server addresses: https always, http only on this machine or when the kiosk's config allows it") {
  for (const char* loopback : {"http://127.0.0.1", "http://127.0.0.1:18080/", "http://127.1.2.3:80/x", "http://localhost",
                               "http://LOCALHOST:8080", "http://[::1]:8080", "http://[::1]"})
    CHECK(minyi::protocol::isLoopbackHttp(loopback));
  for (const char* remote : {"http://127.0.0.1.evil.example", "http://128.0.0.1", "http://10.0.0.5:8080", "http://localhost.example",
                             "http://127.0.0.256", "http://127.0.0", "http://user@127.0.0.1", "https://127.0.0.1", "http://[::2]",
                             "http://[::1].example", "ftp://127.0.0.1", ""})
    CHECK_FALSE(minyi::protocol::isLoopbackHttp(remote));
  CHECK_FALSE(minyi::protocol::insecureServerAddress("https://minyi.example.gov.cn", false));
  CHECK_FALSE(minyi::protocol::insecureServerAddress("http://127.0.0.1:18080", false));
  CHECK(minyi::protocol::insecureServerAddress("http://minyi.example.gov.cn", false));
  CHECK_FALSE(minyi::protocol::insecureServerAddress("http://minyi.example.gov.cn", true));
  CHECK(minyi::protocol::insecureServerAddress("ftp://minyi.example.gov.cn", true));
}

TEST_CASE("a USB export's line and manifest read back as written, and bad ones are refused in words") {
  const KeyPair server = generateKeyPair();
  ExportedSubmission s;
  s.envelope.id = "0b6f3c1e-2d4a-4c5b-9e8f-1a2b3c4d5e6f";
  s.envelope.formId = "complaint";
  s.envelope.formVersion = 2;
  s.envelope.formHash = sha256Hex("form");
  s.envelope.kind = "complaint";
  s.envelope.createdAt = "2026-11-27T08:00:00.123Z";
  s.envelope.flags = {"partial", "misuse"};
  s.envelope.sealed = seal(server.publicKey, R"({"q":1})");
  s.envelope.ticketCode = checkTicketCode(makeTicketCode(7, 42)).code;
  s.envelope.ticketKeySealed = seal(server.publicKey, newTicketAccessKey());
  s.state = "rejected";
  s.attempts = 3;
  s.lastError = std::string("proxy said \xff\xfe no");  // not UTF-8: replaced, never thrown on
  const std::string line = exportLine(s);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.rfind(R"({"id":"0b6f3c1e-2d4a-4c5b-9e8f-1a2b3c4d5e6f","form_id":"complaint")", 0) == 0);
  CHECK(line.find(R"("sent_at":null)") != std::string::npos);
  std::string why;
  auto back = parseExportLine(line, &why);
  INFO(why);
  REQUIRE(back);
  CHECK(back->envelope.sealed == s.envelope.sealed);
  CHECK(back->envelope.flags == s.envelope.flags);
  CHECK(back->envelope.ticketCode == s.envelope.ticketCode);
  CHECK(back->envelope.ticketKeySealed == s.envelope.ticketKeySealed);
  CHECK(back->state == "rejected");
  CHECK(back->attempts == 3);
  CHECK(back->lastError.find("no") != std::string::npos);
  CHECK(back->sentAt.empty());
  CHECK_FALSE(parseExportLine("[1, 2]", &why));
  CHECK(why == "not a JSON object");
  CHECK_FALSE(parseExportLine("{\"id\":", &why));
  CHECK_FALSE(parseExportLine(R"({"id":"x"})", &why));
  CHECK_THAT(why, Catch::Matchers::Contains("id"));

  ExportManifest m;
  m.createdAt = "2026-11-27T08:00:00.123Z";
  m.siteId = "donghu-dqfwzx";
  m.deviceId = "donghu-1";
  m.kioskId = "kiosk-0a1b2c3d";
  m.dataFile = "minyi-export-20261127T080000Z.jsonl";
  m.dataBytes = 1234;
  m.dataSha256 = sha256Hex("data");
  m.submissions = 3;
  m.pending = 2;
  m.rejected = 1;
  const std::string text = manifestText(m);
  CHECK(text.back() == '\n');
  auto read = parseExportManifest(text, &why);
  REQUIRE(read);
  CHECK(read->kioskId == "kiosk-0a1b2c3d");
  CHECK(read->dataBytes == 1234);
  CHECK(read->submissions == 3);
  CHECK(read->pending == 2);
  CHECK(read->rejected == 1);
  CHECK_FALSE(read->everything);
  auto changed = [&](const char* key, const minyi::core::Json& value) {
    minyi::core::Json j = minyi::core::Json::parse(text);
    j[key] = value;
    return j.dump();
  };
  CHECK_FALSE(parseExportManifest(changed("format", "something-else"), &why));
  CHECK_THAT(why, Catch::Matchers::Contains("(format)"));
  CHECK_FALSE(parseExportManifest(changed("format_version", 2), &why));
  CHECK_THAT(why, Catch::Matchers::Contains("version 2 is not known"));
  for (const char* file : {"../server.db", ".hidden.jsonl", "sub/x.jsonl", ""}) {
    CHECK_FALSE(parseExportManifest(changed("data_file", file), &why));
    CHECK_THAT(why, Catch::Matchers::Contains("no plain data file"));
  }
  CHECK_FALSE(parseExportManifest(changed("data_bytes", "many"), &why));
  CHECK_FALSE(parseExportManifest("not json", &why));
}

TEST_CASE("a kiosk's report round-trips, every field is optional, and a wrong one is named") {
  KioskReport r;
  r.appVersion = "0.3.0~rc1";
  r.diskFreeBytes = int64_t{3} << 30;
  r.outbox = 17;
  r.oldestUnsent = "2026-12-07T01:00:00.000Z";
  r.lastError = "network: 连接超时";
  r.appUptimeSeconds = 42;
  r.bootUptimeSeconds = 4200;
  r.screen = "1080x1920";
  std::string why;
  auto back = parseKioskReport(toJson(r).dump(), &why);
  INFO(why);
  REQUIRE(back);
  CHECK(back->appVersion == r.appVersion);
  CHECK(back->diskFreeBytes == r.diskFreeBytes);
  CHECK(back->outbox == 17);
  CHECK(back->oldestUnsent == r.oldestUnsent);
  CHECK(back->lastError == r.lastError);
  CHECK(back->appUptimeSeconds == 42);
  CHECK(back->bootUptimeSeconds == 4200);
  CHECK(back->screen == "1080x1920");
  auto empty = parseKioskReport("{}", &why);
  REQUIRE(empty);
  CHECK(empty->outbox == 0);
  CHECK_FALSE(empty->diskFreeBytes);
  CHECK(toJson(KioskReport{}).dump() == R"({"outbox":0})");  // nothing said that was not known
  for (auto [body, field] : std::initializer_list<std::pair<const char*, const char*>>{
           {R"({"outbox": -1})", "outbox"},
           {R"({"disk_free_bytes": "lots"})", "disk_free_bytes"},
           {R"({"screen": "1080*1920"})", "screen"},
           {R"({"screen": "123456x1"})", "screen"},
           {R"({"oldest_unsent": "2026-13-01T00:00:00Z"})", "oldest_unsent"},
           {R"({"app_version": ""})", "app_version"},
           {R"({"last_error": 5})", "last_error"},
           {R"({"boot_uptime_seconds": 1e30})", "boot_uptime_seconds"}}) {
    INFO(body);
    CHECK_FALSE(parseKioskReport(body, &why));
    CHECK_THAT(why, Catch::Matchers::Contains(field));
  }
}


TEST_CASE("a provisioning file signed by the township's server is taken, and another signer, a changed byte or an expired code are refused") {
  const auto server = generateKeyPair(), other = generateKeyPair();
  const auto trusted = provisioningKey(server);
  // Derived, not random: the same server.key signs the same way after a restart; it is not the sealing key.
  CHECK(provisioningKey(server) == trusted);
  CHECK(provisioningKey(other) != trusted);
  CHECK(trusted != server.publicKey);
  const auto now = std::chrono::system_clock::now();
  Provisioning p{"https://minyi.township.example", encodeKey(server.publicKey), "donghu-dqfwzx",
                           "东湖社区党群服务中心", "kiosk-1", "大厅一号机", "NQPYN-1ZTEG",
                           isoUtc(now + std::chrono::hours(24))};
  const std::string text = signProvisioning(p, server);

  auto ok = checkProvisioning(text, trusted, now);
  REQUIRE(ok.file);
  CHECK_FALSE(ok.problem);
  CHECK(ok.file->serverUrl == p.serverUrl);
  CHECK(ok.file->serverKey == p.serverKey);
  CHECK(ok.file->siteName == "东湖社区党群服务中心");
  CHECK(ok.file->code == "NQPYN-1ZTEG");

  // Another server's stick (or anybody's own key) is not this township's.
  auto foreign = checkProvisioning(signProvisioning(p, other), trusted, now);
  CHECK_FALSE(foreign.file);
  CHECK(foreign.problem == ProvisioningProblem::OtherSigner);

  // The right signer named, the content changed: a forged address.
  std::string forged = text;
  const auto at = forged.find("minyi.township.example");
  REQUIRE(at != std::string::npos);
  forged.replace(at, 5, "evil.");
  auto altered = checkProvisioning(forged, trusted, now);
  CHECK_FALSE(altered.file);
  CHECK(altered.problem == ProvisioningProblem::Altered);
  // A signature swapped in from another file does not fit either.
  auto other_p = p;
  other_p.code = "AAAAA-BBBBB";
  auto swapped = minyi::core::parseJsonText(signProvisioning(other_p, server), nullptr).value();
  auto original = minyi::core::parseJsonText(text, nullptr).value();
  original["signature"] = swapped["signature"];
  CHECK(checkProvisioning(original.dump(), trusted, now).problem == ProvisioningProblem::Altered);

  auto expired = checkProvisioning(text, trusted, now + std::chrono::hours(25));
  CHECK_FALSE(expired.file);
  CHECK(expired.problem == ProvisioningProblem::Expired);

  for (std::string bad : {std::string(""), std::string("not json"), std::string("{\"format\":\"minyi-outbox-export\"}"),
                          std::string("[1,2,3]"), std::string(20000, ' ') + "{}",
                          std::string("{\"format\":\"minyi-provisioning\",\"format_version\":2}"),
                          std::string("{\"format\":\"minyi-provisioning\",\"format_version\":1,\"payload\":\"{}\"}")}) {
    INFO(bad.substr(0, 60));
    auto c = checkProvisioning(bad, trusted, now);
    CHECK_FALSE(c.file);
    CHECK(c.problem == ProvisioningProblem::NotProvisioning);
    CHECK_FALSE(c.detail.empty());
  }
  // Signed, but with nothing to enroll with: refused too.
  auto empty = p;
  empty.code.clear();
  CHECK(checkProvisioning(signProvisioning(empty, server), trusted, now).problem ==
        ProvisioningProblem::NotProvisioning);
}
