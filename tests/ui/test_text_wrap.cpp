// Line breaking: Chinese breaks between characters, English at spaces, punctuation never starts or ends a line wrongly.
#include <catch2/catch.hpp>

#include "minyi/ui/text_wrap.h"

using minyi::ui::wrapText;

namespace {
// One unit per character: lines of `width` characters.
float count(std::string_view s) {
  float n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) n += 1;
  return n;
}
}  // namespace

TEST_CASE("Chinese text breaks between characters to fit the width") {
  CHECK(wrapText("本周六上午九点召开居民议事会", 5, count) == "本周六上午\n九点召开居\n民议事会");
}

TEST_CASE("a comma or a full stop never starts a line: it takes the character before it along") {
  // Without the rule the second line would start with "，".
  CHECK(wrapText("召开居民议事会，议题：停车。", 7, count) == "召开居民议事\n会，议题：停\n车。");
  for (const std::string& text : {std::string("东湖社区党群服务中心召开居民议事会，议题：小区停车和垃圾分类。欢迎参加。"),
                                  std::string("请记下受理编号，或用手机扫描二维码查询办理进度。我们会在承诺时限内办理并答复。")})
    for (float width : {4.f, 5.f, 6.f, 7.f, 9.f, 11.f, 13.f}) {
      const std::string wrapped = wrapText(text, width, count);
      for (size_t at = wrapped.find('\n'); at != std::string::npos; at = wrapped.find('\n', at + 1)) {
        const std::string next = wrapped.substr(at + 1, 3);
        CHECK(next != "，");
        CHECK(next != "。");
        CHECK(next != "：");
      }
    }
}

TEST_CASE("an opening bracket or quote never ends a line") {
  CHECK(wrapText("请点“查询进度”输入编号", 3, count) == "请点\n“查询\n进度”\n输入编\n号");
}

TEST_CASE("English breaks at spaces and keeps words whole") {
  CHECK(wrapText("This Saturday at 9 am, residents' meeting", 14, count) == "This Saturday\nat 9 am,\nresidents'\nmeeting");
  CHECK(wrapText("Supercalifragilistic word", 5, count) == "Supercalifragilistic\nword");
}

TEST_CASE("existing line breaks stay and nothing is lost") {
  const std::string text = "欢迎您！\n\n在这里，您可以填写意见问卷。";
  const std::string wrapped = wrapText(text, 6, count);
  std::string joined;
  for (char c : wrapped)
    if (c != '\n') joined += c;
  std::string plain;
  for (char c : text)
    if (c != '\n') plain += c;
  CHECK(joined == plain);
  CHECK(wrapped.rfind("欢迎您！\n\n", 0) == 0);
}
