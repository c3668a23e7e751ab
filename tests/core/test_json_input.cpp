// Untrusted JSON input: limits on size and nesting, UTF-8 checks, readable errors.
#include <catch2/catch.hpp>

#include "minyi/core/json_input.h"

using namespace minyi::core;
using Catch::Matchers::Contains;

TEST_CASE("valid JSON parses", "[json]") {
  std::string err;
  auto j = parseJsonText(R"({"a": [1, 2, {"b": "社区"}]})", &err);
  REQUIRE(j);
  CHECK((*j)["a"][2]["b"] == "社区");
}

TEST_CASE("malformed JSON names line and column", "[json]") {
  std::string err;
  CHECK_FALSE(parseJsonText("{\n  \"a\": 1,\n  \"b\" 2\n}", &err));
  CHECK_THAT(err, Contains("line 3"));
}

TEST_CASE("10,000-deep nesting is refused without recursion", "[json][hostile]") {
  std::string err;
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  CHECK_FALSE(parseJsonText(deep, &err));
  CHECK_THAT(err, Contains("nesting deeper than"));
  // Brackets inside strings do not count.
  CHECK(parseJsonText("{\"a\": \"" + std::string(1000, '[') + "\"}", &err));
}

TEST_CASE("a 10 MB string is refused by size", "[json][hostile]") {
  std::string err;
  const std::string big = "{\"a\": \"" + std::string(10 * 1024 * 1024, 'x') + "\"}";
  CHECK_FALSE(parseJsonText(big, &err));
  CHECK_THAT(err, Contains("limit"));
}

TEST_CASE("invalid UTF-8 is refused with its position", "[json][hostile]") {
  std::string err;
  CHECK_FALSE(parseJsonText("{\"a\": \"\xE7\xA4\"}", &err));
  CHECK_THAT(err, Contains("UTF-8"));
  CHECK_FALSE(isValidUtf8("\xC0\xAF"));        // overlong '/'
  CHECK_FALSE(isValidUtf8("\xED\xA0\x80"));    // surrogate
  CHECK_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK(isValidUtf8("民意 ok"));
  CHECK(firstInvalidUtf8("ab\xFF") == 2);
}

TEST_CASE("a UTF-8 text cut to a number of bytes ends between characters", "[json]") {
  CHECK(utf8Prefix("民意 ok", 100) == "民意 ok");
  CHECK(utf8Prefix("民意", 4) == "民");  // 意 would be cut after its first byte
  CHECK(utf8Prefix("民意", 6) == "民意");
  CHECK(utf8Prefix("民意", 2) == "");
  CHECK(isValidUtf8(utf8Prefix("访问被拒绝访问被拒绝", 17)));
}

TEST_CASE("missing files give a sentence, not an exception", "[json]") {
  std::string err;
  CHECK_FALSE(readTextFile("/nonexistent/form.json", &err, 100));
  CHECK_THAT(err, Contains("cannot open"));
}

TEST_CASE("regression: a number too large for a double is an error, not an exception", "[json][hostile]") {
  // Found by fuzz_form_loader: nlohmann throws out_of_range (406), not parse_error, for this.
  std::string err;
  CHECK_FALSE(parseJsonText("5555555555555550000000000e0004553682020284", &err));
  CHECK_THAT(err, Contains("number overflow"));
  CHECK_FALSE(parseJsonText("{\"rateMax\": 1e400}", &err));
}
