// Demonstration answers: weighted choices, matrix rows, star ratings, and comments taken from the township's own reports.
#include "minyi/server/demo_data.h"

#include <algorithm>
#include <cmath>

#include "minyi/server/results.h"

namespace minyi::server {

using core::ElementType;
using core::Json;

namespace {

// What residents write, in the words of the township's reports (shared/domain/seed-reports.txt).
const char* const kComments[] = {
    "3号楼2单元楼道灯坏了一个多月，晚上上下楼看不见。",
    "小区东门消防通道经常被私家车占用，希望加强管理。",
    "车棚旁边有人从窗户拉电线给电动车充电，太危险了。",
    "菜市场后面的卫生死角垃圾堆了好几天没人清理。",
    "楼道里堆满了杂物，老人上下楼不方便。",
    "墙上小广告贴了又贴，希望能定期清理。",
    "绿化带里杂草长得很高，夏天蚊子多。",
    "到便民服务中心办事，工作人员态度很好，一次就办完了。",
    "办低保材料跑了三趟，希望能一次性告知需要什么材料。",
    "希望多组织几次“红马甲”清洁活动，我愿意参加。",
    "社区志愿服务搞得不错，老年人很受益。",
    "建议在小区里多装几个电动车充电桩。",
    "窗口中午有时候没人，找不到人办事。",
    "希望镇里多听听居民的意见，定期公开整改情况。",
    "路灯修好了，谢谢社区。",
    "停车难的问题希望能尽快解决。",
    "物业管理跟不上，楼道卫生没人管。",
    "有人在楼顶私搭乱建，影响邻居采光。",
};
const char* const kNames[] = {"王阿姨", "李师傅", "张先生", "刘女士", "陈大爷", "赵老师"};

double uniform(std::mt19937& rng) { return std::uniform_real_distribution<double>(0, 1)(rng); }

// Picks one of the choices: satisfied answers weigh `lean`, "don't know" little, the rest share what is left
// (earlier ones a little more, as on paper forms).
size_t pickWeighted(const std::vector<core::Choice>& choices, std::mt19937& rng, double lean) {
  std::vector<double> w;
  bool anySatisfied = false;
  for (const core::Choice& c : choices) anySatisfied = anySatisfied || isSatisfiedValue(valueText(c.value));
  for (size_t i = 0; i < choices.size(); ++i) {
    const std::string v = valueText(choices[i].value);
    if (!anySatisfied) w.push_back(1.0 / std::sqrt(static_cast<double>(i) + 1));
    else if (isExcludedValue(v)) w.push_back(0.06);
    else if (isSatisfiedValue(v)) w.push_back(lean * (i == 0 ? 1.2 : 0.8));
    else w.push_back((1 - lean) * 0.7);
  }
  return std::discrete_distribution<size_t>(w.begin(), w.end())(rng);
}

std::string comment(std::mt19937& rng) {
  return kComments[std::uniform_int_distribution<size_t>(0, std::size(kComments) - 1)(rng)];
}

std::string phone(std::mt19937& rng) {
  std::string p = "13";
  p += static_cast<char>('5' + std::uniform_int_distribution<int>(0, 4)(rng));
  for (int i = 0; i < 8; ++i) p += static_cast<char>('0' + std::uniform_int_distribution<int>(0, 9)(rng));
  return p;
}

}  // namespace

Json demoAnswers(const core::Form& form, std::mt19937& rng, const DemoLean& lean) {
  Json a = Json::object();
  // A resident is a little more or less content than the site as a whole.
  const double mood = std::clamp(lean.satisfied + (uniform(rng) - 0.5) * 0.4, 0.05, 0.95);
  for (const core::Element* e : form.allElements()) {
    if (!e->isQuestion() || e->isNestedValue()) continue;
    const std::string key = e->valueKey();
    switch (e->type) {
      case ElementType::Radiogroup:
      case ElementType::Dropdown: {
        if (e->choices.empty()) break;
        if ((key == "community" || key == "station") && !lean.community.empty()) {
          a[key] = lean.community;
          break;
        }
        a[key] = e->choices[pickWeighted(e->choices, rng, mood)].value;
        if (e->showCommentArea && uniform(rng) < 0.15) a[e->commentKey()] = comment(rng);
        break;
      }
      case ElementType::Checkbox:
      case ElementType::Tagbox: {
        if (e->choices.empty()) break;
        const int most = std::min<int>(e->maxSelectedChoices.value_or(3), static_cast<int>(e->choices.size()));
        const int n = std::uniform_int_distribution<int>(1, std::max(1, most))(rng);
        std::vector<size_t> order(e->choices.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::shuffle(order.begin(), order.end(), rng);
        Json picked = Json::array();
        for (int i = 0; i < n; ++i) picked.push_back(e->choices[order[static_cast<size_t>(i)]].value);
        a[key] = picked;
        break;
      }
      case ElementType::Rating:
        if (!e->rateValues.empty()) {
          a[key] = e->rateValues[pickWeighted(e->rateValues, rng, mood)].value;
        } else if (e->rateStep > 0) {
          // Stars: mostly around mood × the scale, never outside it.
          const double steps = std::floor((e->rateMax - e->rateMin) / e->rateStep);
          const double s = std::round(std::clamp(mood * steps + (uniform(rng) - 0.5) * 2.2, 0.0, steps));
          const double v = e->rateMin + s * e->rateStep;
          a[key] = v == std::floor(v) ? Json(static_cast<int64_t>(v)) : Json(v);
        }
        break;
      case ElementType::Boolean:
        if (key == "anonymous") a[key] = uniform(rng) < 0.7;
        else if (key == "consent") {
          if (a.contains("phone")) a[key] = true;
        } else {
          a[key] = uniform(rng) < 0.6;
        }
        break;
      case ElementType::Matrix: {
        Json rows = Json::object();
        for (const core::Choice& row : e->rows_) {
          if (e->columns_.empty()) break;
          const std::string r = row.value.is_string() ? row.value.get<std::string>() : valueText(row.value);
          rows[r] = e->columns_[pickWeighted(e->columns_, rng, mood)].value;
        }
        a[key] = rows;
        break;
      }
      case ElementType::Text:
        if (e->inputType == "tel") {
          const bool named = !a.value("anonymous", true);
          if ((a.contains("anonymous") && named) || (!a.contains("anonymous") && uniform(rng) < 0.3)) a[key] = phone(rng);
        } else if (key.find("name") != std::string::npos) {
          if (uniform(rng) < 0.4) a[key] = kNames[std::uniform_int_distribution<size_t>(0, std::size(kNames) - 1)(rng)];
        } else if (e->isRequired) {
          a[key] = comment(rng);
        } else if (uniform(rng) < 0.3) {
          a[key] = "3号楼2单元门口";
        }
        break;
      case ElementType::Comment:
        // Required text (a complaint's description) always; optional comments from about one in four.
        if (e->isRequired || uniform(rng) < 0.25 + (1 - mood) * 0.3) a[key] = comment(rng);
        break;
      default: break;
    }
  }
  return a;
}

}  // namespace minyi::server
