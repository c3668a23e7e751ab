// The UI string tables: complete in every language, placeholders filled, fallback visible.
#include <catch2/catch.hpp>

#include "minyi/core/loc_string.h"
#include "minyi/core/script.h"
#include "test_helpers.h"

using namespace minyi::core;

TEST_CASE("every string exists in zh-CN, zh-TW and en", "[strings]") {
  const auto& t = minyi::test::strings();
  for (const char* loc : {"zh-tw", "en"}) {
    INFO(loc);
    CHECK(t.missingKeys(loc, "zh-cn").empty());
    CHECK(t.missingKeys("zh-cn", loc).empty());
  }
}

TEST_CASE("string arguments and locale fallback", "[strings]") {
  const auto& t = minyi::test::strings();
  CHECK(t.get("zh-CN", "validation.minSelected", {"2"}) == "请至少选择 2 项。");
  CHECK(t.get("en", "validation.minSelected", {"2"}) == "Please choose at least 2.");
  CHECK(t.get("fr", "nav.next") == "下一步");      // unknown language → Simplified Chinese
  CHECK(t.get("en", "no.such.key") == "no.such.key");  // visible, never blank
}

TEST_CASE("localizable form texts follow SurveyJS's lookup order", "[strings]") {
  LocString s;
  REQUIRE(s.assign(Json{{"default", "默认"}, {"zh-cn", "简体"}, {"zh-tw", "繁體"}, {"en", "English"}}));
  CHECK(s.get("zh-cn") == "简体");
  CHECK(s.get("zh-TW") == "繁體");
  CHECK(s.get("en") == "English");
  CHECK(s.get("") == "English");  // the default locale is "en"
  CHECK(s.get("de") == "默认");
  LocString onlyDefault;
  REQUIRE(onlyDefault.assign(Json("只有默认")));
  CHECK(onlyDefault.get("zh-tw") == "只有默认");
  LocString dialect;
  REQUIRE(dialect.assign(Json{{"zh", "中文"}, {"default", "d"}}));
  CHECK(dialect.get("zh-tw") == "中文");  // root dialect before default
  LocString bad;
  CHECK_FALSE(bad.assign(Json::array()));
}

TEST_CASE("toTraditional turns staff's Simplified text into Traditional, phrases included, the rest untouched",
          "[strings][script]") {
  REQUIRE(traditionalAvailable());  // deploy/dev.sh installs libopencc-data
  CHECK(toTraditional("东湖社区楼道灯已全部更换，感谢您的反映。") == "東湖社區樓道燈已全部更換，感謝您的反映。");
  CHECK(toTraditional("发现问题") == "發現問題");
  CHECK(toTraditional("理发") == "理髮");  // 发 by its phrase: 發 in 发现, 髮 in 理发
  CHECK(toTraditional("3号楼 138****1234 OK") == "3號樓 138****1234 OK");
  CHECK(toTraditional("") == "");
}
