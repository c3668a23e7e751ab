// Results and exports: weeks in China time, which answers count, satisfaction rates and means, CSV/XLSX, recounting.
#include "server_test_helpers.h"

#include <cstdio>

#include "../cli/run_command.h"
#include "minyi/server/export.h"
#include "minyi/server/ingest.h"
#include "minyi/server/results.h"

using namespace minyi;
using namespace minyi::test;
using Catch::Matchers::Contains;
using core::Json;

namespace {

std::shared_ptr<const server::LoadedForm> loaded(const server::StoredForm& f) {
  auto l = server::formCache().get(f);
  REQUIRE(l);
  return l;
}

const server::QuestionResult& resultOf(const server::FormResults& r, const std::string& key) {
  for (const auto& q : r.questions)
    if (q.question->key == key) return q;
  FAIL("no question " << key);
  throw std::logic_error("unreachable");
}

int64_t countOf(const server::QuestionResult& q, const std::string& value) {
  for (const auto& v : q.values)
    if (v.value == value) return v.count;
  return -1;
}

// Tally rows as ingest would make them, for a list of answers at one site and week.
std::vector<server::TallyRow> rowsFor(const server::LoadedForm& form, const std::vector<Json>& answers,
                                      const std::string& site = "donghu-dqfwzx", const std::string& week = "2026-11-23") {
  std::vector<server::TallyRow> rows;
  for (const Json& a : answers) {
    rows.push_back({form.form->minyi.id, 1, server::kSubmissionTally, "", site, week, 1});
    for (const auto& t : server::tallyAnswers(form, a)) rows.push_back({form.form->minyi.id, 1, t.question, t.value, site, week, 1});
  }
  return rows;
}

}  // namespace

TEST_CASE("a week is the Monday of the submission's day in China time") {
  CHECK(server::weekOf("2026-11-27T08:00:00.000Z") == "2026-11-23");  // Friday
  CHECK(server::weekOf("2026-11-23T00:00:00Z") == "2026-11-23");      // Monday 08:00 in China
  // Sunday 22 Nov 17:00 UTC is already Monday 01:00 in China: the new week.
  CHECK(server::weekOf("2026-11-22T17:00:00.000Z") == "2026-11-23");
  CHECK(server::weekOf("2026-11-22T15:59:00.000Z") == "2026-11-16");  // Sunday 23:59 in China
  CHECK(server::weekOf("2027-01-01T03:00:00Z") == "2026-12-28");      // across a new year
  CHECK(server::weekBefore("2026-11-27T08:00:00Z", 3) == "2026-11-02");
  CHECK(server::weekOf("not a time").empty());
  CHECK(server::chinaTime("2026-11-27T20:30:00.000Z") == "2026-11-28 04:30");
}

TEST_CASE("only answers the form offers are counted: choices, matrix rows, checkboxes once each, stars") {
  const auto civic = loaded(shippedForm("civilized-city"));
  std::string why;
  auto answers = core::parseJsonText(*core::readTextFile(std::string(MINYI_SOURCE_DIR) + "/deploy/demo/civilized-city-answers.json", &why, 1 << 20), &why);
  REQUIRE(answers);
  const auto tallies = server::tallyAnswers(*civic, *answers);
  auto has = [&](const std::string& q, const std::string& v) {
    return std::any_of(tallies.begin(), tallies.end(), [&](const server::Tally& t) { return t.question == q && t.value == v; });
  };
  CHECK(has("community", "\"donghu\""));
  CHECK(has("satisfaction.hallway_lights", "\"unsatisfied\""));
  CHECK(has("satisfaction.greening", "\"satisfied\""));
  CHECK(has("priorities", "\"dark_hallways\""));
  CHECK(has("volunteered", "true"));
  // Free text is never counted; neither is a made-up value or an unknown question.
  for (const auto& t : tallies) {
    CHECK(t.question != "suggestions");
    CHECK(t.question != "unsatisfied_detail");
  }
  Json forged = *answers;
  forged["community"] = "<script>";
  forged["priorities"] = Json::array({"dark_hallways", "dark_hallways", "x1", "x2"});
  forged["made_up"] = "satisfied";
  const auto forgedTallies = server::tallyAnswers(*civic, forged);
  int darkHallways = 0;
  for (const auto& t : forgedTallies) {
    CHECK(t.value != "\"<script>\"");
    CHECK(t.question != "made_up");
    darkHallways += t.question == "priorities";
  }
  CHECK(darkHallways == 1);

  const auto efficiency = loaded(shippedForm("efficiency"));
  const auto stars = server::tallyAnswers(*efficiency, Json{{"overall_score", 4}, {"handled_business", true}});
  CHECK(std::any_of(stars.begin(), stars.end(), [](const server::Tally& t) { return t.question == "overall_score" && t.value == "4"; }));
  // 4.0 from a client that writes numbers with a fraction is the same answer as 4.
  const auto fraction = server::tallyAnswers(*efficiency, Json{{"overall_score", 4.0}});
  REQUIRE(fraction.size() == 1);
  CHECK(fraction[0].value == "4");
  CHECK(server::tallyAnswers(*efficiency, Json{{"overall_score", 9}}).empty());
}

TEST_CASE("satisfaction rate: satisfied and basically satisfied over those who answered, don't know left out") {
  const auto opinion = loaded(shippedForm("opinion"));
  std::vector<Json> answers;
  auto add = [&](int n, const char* v) {
    for (int i = 0; i < n; ++i) answers.push_back(Json{{"area_urban", v}, {"overall", i % 2 ? "good" : "average"}});
  };
  add(5, "satisfied");
  add(3, "basically_satisfied");
  add(2, "unsatisfied");
  add(4, "dontknow");
  const auto results = server::computeResults(opinion->counted, rowsFor(*opinion, answers));
  CHECK(results.submissions == 14);
  const auto& urban = resultOf(results, "area_urban");
  CHECK(urban.hasSatisfaction);
  CHECK(urban.answers == 14);
  CHECK(urban.satisfied == 8);
  CHECK(urban.satisfactionBase == 10);
  REQUIRE(urban.satisfactionRate());
  CHECK(*urban.satisfactionRate() == Approx(0.8));
  CHECK(countOf(urban, "\"dontknow\"") == 4);
  CHECK_FALSE(urban.mean);
  // The labelled overall rating: 好 and 较好 count as satisfied, 一般 and 差 do not (6 of 14 answered 好).
  const auto& overall = resultOf(results, "overall");
  CHECK(countOf(overall, "\"good\"") == 6);
  CHECK(overall.satisfied == 6);
  CHECK(overall.satisfactionBase == 14);
  // The identity question has nothing to be satisfied with: no rate at all.
  CHECK_FALSE(resultOf(results, "identity").hasSatisfaction);
  CHECK_FALSE(resultOf(results, "identity").satisfactionRate());
}

TEST_CASE("star ratings have a mean, and above the middle of the scale counts as satisfied") {
  const auto efficiency = loaded(shippedForm("efficiency"));
  std::vector<Json> answers;
  for (int stars : {5, 5, 4, 3, 3, 2, 1, 4}) answers.push_back(Json{{"overall_score", stars}, {"phenomena", Json::array({"harsh_words"})}});
  const auto results = server::computeResults(efficiency->counted, rowsFor(*efficiency, answers));
  const auto& score = resultOf(results, "overall_score");
  REQUIRE(score.mean);
  CHECK(*score.mean == Approx(27.0 / 8));
  CHECK(score.satisfied == 4);  // 4 and 5 stars of 1-5
  CHECK(*score.satisfactionRate() == Approx(0.5));
  // A multiple choice is shared out of submissions, not selections; it has no rate.
  const auto& phenomena = resultOf(results, "phenomena");
  CHECK(phenomena.base == 8);
  CHECK_FALSE(phenomena.hasSatisfaction);
  // Matrix rows are questions of their own.
  CHECK(resultOf(results, "ratings.service_attitude").question->rowTitle == "服务态度");
}

TEST_CASE("formula-like cells are neutralised and phone numbers masked") {
  CHECK(server::neutralizeCell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")");
  for (const char* bad : {"+1", "-2+3", "@SUM(A1)", "\tx", "\rx"}) CHECK(server::neutralizeCell(bad) == std::string("'") + bad);
  // What spreadsheet programs skip or read the same: a leading line feed, spaces, full-width ＝＋－＠.
  for (const char* bad : {"\n=1+1", " =1+1", "   @SUM(A1)", "\xE3\x80\x80=1", "＝HYPERLINK(\"http://x\")", "＋1", "－2", "＠SUM(A1)",
                          "  ＝1", " \t=1"})
    CHECK(server::neutralizeCell(bad) == std::string("'") + bad);
  for (const char* fine : {"楼道灯", " 楼道灯", "1+1", "a=b", "电话：＋86"}) CHECK(server::neutralizeCell(fine) == fine);
  CHECK(server::neutralizeCell("") == "");
  CHECK(server::maskPhone("13812341234") == "138****1234");
  CHECK(server::maskPhone("12345") == "*2345");
  CHECK(server::maskPhone("123") == "***");
}

TEST_CASE("CSV export: BOM, CRLF, quoting, Chinese labels, neutralised formulas, phones masked on request") {
  TempDir dir;
  auto store = openTownship(dir.file("data"));
  const auto keys = protocol::generateKeyPair();
  const auto form = shippedForm("complaint");
  REQUIRE(store->addForm(form) == server::FormAdded::New);
  const Json a{{"category", "hygiene"}, {"community", "donghu"}, {"description", "=HYPERLINK(\"http://evil\",\"点我\")"},
               {"location", "3号楼, \"东门\"\n旁边"}, {"anonymous", false}, {"phone", "13812341234"}, {"consent", true}};
  auto reply = server::ingestBatch(*store, keys, {envelopeFor(form, keys.publicKey, a.dump())}, {"", "donghu-dqfwzx", "usb", {}});
  REQUIRE(reply.results[0].outcome == protocol::Outcome::Stored);

  server::ExportOptions options = server::exportOptions();
  options.maskPhones = false;
  std::string csv;
  CHECK(server::exportCsv(*store, form, options, csv) == 1);
  REQUIRE(csv.rfind("\xEF\xBB\xBF", 0) == 0);
  CHECK_THAT(csv, Contains("编号,提交时间（北京时间）,站点,终端,方式,标记"));
  CHECK_THAT(csv, Contains("环境卫生（卫生死角、垃圾堆放）"));
  CHECK_THAT(csv, Contains("东湖社区党群服务中心"));
  CHECK_THAT(csv, Contains("U盘导入"));
  CHECK_THAT(csv, Contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"点我\"\")\""));
  CHECK_THAT(csv, Contains("\"3号楼, \"\"东门\"\"\n旁边\""));
  CHECK_THAT(csv, Contains("13812341234"));
  CHECK_THAT(csv, Contains("留电话，方便联系"));  // the boolean's own label
  CHECK(csv.find("\r\n") != std::string::npos);

  options.maskPhones = true;
  std::string masked;
  server::exportCsv(*store, form, options, masked);
  CHECK_THAT(masked, Contains("138****1234"));
  CHECK(masked.find("13812341234") == std::string::npos);
  // A number in the resident's own words is masked for the same readers, however it is spelled.
  Json b = a;
  b["description"] = "楼道灯坏了，打１３９－８７６５－４３２１找我";
  b["location"] = "东湖路128号 3-2-1502";
  REQUIRE(server::ingestBatch(*store, keys, {envelopeFor(form, keys.publicKey, b.dump())}, {"", "donghu-dqfwzx", "usb", {}}).results[0].outcome ==
          protocol::Outcome::Stored);
  masked.clear();
  CHECK(server::exportCsv(*store, form, options, masked) == 2);
  CHECK_THAT(masked, Contains("打１３９－****－４３２１找我"));
  CHECK_THAT(masked, Contains("东湖路128号 3-2-1502"));
  options.maskPhones = false;
  csv.clear();
  server::exportCsv(*store, form, options, csv);
  CHECK_THAT(csv, Contains("打１３９－８７６５－４３２１找我"));
  options.maskPhones = true;

  // XLSX: the same cells, as strings (constant-memory mode writes them inline), with the same apostrophe in
  // front of the formula.
  const std::string xlsx = dir.file("out.xlsx");
  CHECK(server::exportXlsx(*store, form, options, xlsx) == 2);
  const Run strings = runCommand("unzip", "-p " + quote(xlsx) + " xl/worksheets/sheet1.xml");
  REQUIRE(strings.status == 0);
  CHECK_THAT(strings.out, Contains("<t>'=HYPERLINK(\"http://evil\",\"点我\")</t>"));
  CHECK_THAT(strings.out, Contains("138****1234"));
  CHECK(strings.out.find("<f>") == std::string::npos);  // no formula anywhere
}

TEST_CASE("counts out of step with the stored submissions are counted again from the answers") {
  TempDir dir;
  auto store = openTownship(dir.file("data"));
  const auto keys = protocol::generateKeyPair();
  const auto form = shippedForm("quick");
  REQUIRE(store->addForm(form) == server::FormAdded::New);
  std::vector<protocol::Envelope> batch;
  for (const char* v : {"satisfied", "satisfied", "very_unsatisfied"})
    batch.push_back(envelopeFor(form, keys.publicKey, Json{{"satisfaction", v}}.dump()));
  server::ingestBatch(*store, keys, batch, {"", "jiedao-office", "network", {}});
  server::TallyQuery q{"quick", 1, false, "", "", "", {}};
  const auto before = store->tallies(q);
  CHECK(server::reconcileTallies(*store).empty());  // in step: nothing to do
  // As after an upgrade from a server that did not count: no counts at all.
  store->replaceTallies("quick", 1, {});
  const auto recounted = server::reconcileTallies(*store);
  REQUIRE(recounted.size() == 1);
  auto after = store->tallies(q);
  auto key = [](const server::TallyRow& r) { return r.question + r.value + r.siteId + r.week + std::to_string(r.count); };
  std::vector<std::string> a, b;
  for (const auto& r : before) a.push_back(key(r));
  for (const auto& r : after) b.push_back(key(r));
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  CHECK(a == b);
  const auto results = server::computeResults(loaded(form)->counted, after);
  CHECK(results.submissions == 3);
  CHECK(resultOf(results, "satisfaction").satisfied == 2);
}

TEST_CASE("answers of composite questions are exported as compact JSON, beside plain ones read directly") {
  TempDir dir;
  auto store = openTownship(dir.file("data"));
  const auto keys = protocol::generateKeyPair();
  std::string why;
  auto text = core::readTextFile(std::string(MINYI_SOURCE_DIR) + "/deploy/demo/showcase/all-question-types.json", &why, 1 << 20);
  REQUIRE(text);
  server::StoredForm form{"all-question-types", 1, protocol::formContentHash(*text), "survey", *text, isoIn(std::chrono::seconds(0))};
  REQUIRE(store->addForm(form) == server::FormAdded::New);
  const Json plain{{"stars", 4}};
  const Json composite{{"stars", 5}, {"contact", {{"name", "王阿姨"}, {"phone", "=1+2"}}},
                       {"family", Json::array({Json{{"relation", "子女"}}})}};
  server::ingestBatch(*store, keys, {envelopeFor(form, keys.publicKey, plain.dump()), envelopeFor(form, keys.publicKey, composite.dump())},
                      {"", "jiedao-office", "network", {}});
  std::vector<std::vector<std::string>> rows;
  server::exportRows(*store, form, server::ExportOptions{}, [&](const std::vector<std::string>& cells) { rows.push_back(cells); });
  REQUIRE(rows.size() == 3);
  const auto col = [&](const std::string& header) {
    for (size_t i = 0; i < rows[0].size(); ++i)
      if (rows[0][i].find(header) != std::string::npos) return i;
    FAIL("no column " << header);
    return size_t{0};
  };
  // Both were made within a millisecond or two, so find each by its stars.
  const size_t stars = col("打星");
  REQUIRE((rows[1][stars] == "4" || rows[2][stars] == "4"));
  const auto& first = rows[1][stars] == "4" ? rows[1] : rows[2];
  const auto& second = rows[1][stars] == "4" ? rows[2] : rows[1];
  CHECK(second[stars] == "5");
  CHECK(first.size() == rows[0].size());
  CHECK(second[col("联系方式")] == R"({"name":"王阿姨","phone":"=1+2"})");
  CHECK_THAT(second[col("家庭成员")], Contains("子女"));
}
