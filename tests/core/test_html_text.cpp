// Form HTML as the kiosk draws it: plain text, line breaks where blocks end, emphasis kept where <b> was.
#include <catch2/catch.hpp>

#include "minyi/core/html_text.h"

using minyi::core::plainText;
using minyi::core::richText;

namespace {
// The strong part of a rich text, as a string.
std::string strongPart(const minyi::core::RichText& r) {
  std::string s;
  for (size_t i = 0; i < r.text.size(); ++i)
    if (r.strong[i]) s += r.text[i];
  return s;
}
}  // namespace

TEST_CASE("the complaint form's emergency line keeps its emphasis", "[html]") {
  const auto r = richText("<p><b>紧急情况请直接拨打 119（火警）、110（报警）、120（急救）。</b>本机不受理紧急求助。</p>");
  CHECK(r.text == "紧急情况请直接拨打 119（火警）、110（报警）、120（急救）。本机不受理紧急求助。");
  CHECK(strongPart(r) == "紧急情况请直接拨打 119（火警）、110（报警）、120（急救）。");
  REQUIRE(r.strong.size() == r.text.size());
}

TEST_CASE("blocks and <br> break lines, entities become characters, other tags go", "[html]") {
  CHECK(plainText("<p>第一段</p><p>第二段<br/>下一行</p>") == "第一段\n第二段\n下一行");
  CHECK(plainText("<div>A &amp; B &lt;3&gt; &quot;x&quot;&nbsp;y &#26376; &#x6708;</div>") == "A & B <3> \"x\" y 月 月");
  CHECK(plainText("<span style=\"color:red\">红</span><i>字</i>") == "红字");
  CHECK(plainText("<h3>标题</h3>正文") == "标题\n正文");
  CHECK(strongPart(richText("<h3>标题</h3>正文")) == "标题");
  CHECK(plainText("<ul><li>一</li><li>二</li></ul>") == "一\n二");
}

TEST_CASE("broken HTML is text, never a crash", "[html]") {
  CHECK(plainText("1 < 2") == "1 < 2");
  CHECK(plainText("a <b>bold") == "a bold");
  CHECK(strongPart(richText("</b></b>x<b>y")) == "y");  // stray closing tags do not go negative
  CHECK(plainText("&#99999999999; &#xZZ; &unknown;") == "&#99999999999; &#xZZ; &unknown;");
  CHECK(plainText("&#0;") == "");
  CHECK(plainText("") == "");
}
