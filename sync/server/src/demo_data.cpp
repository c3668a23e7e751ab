// Demonstration answers: weighted choices, matrix rows, star ratings, and comments taken from the township's own reports.
#include "minyi/server/demo_data.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "minyi/core/satisfaction.h"
#include "minyi/protocol/times.h"
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
  using core::satisfaction::Side;
  for (const core::Choice& c : choices) anySatisfied = anySatisfied || core::satisfaction::sideOf(c.value) == Side::Satisfied;
  for (size_t i = 0; i < choices.size(); ++i) {
    const Side side = core::satisfaction::sideOf(choices[i].value);
    if (!anySatisfied) w.push_back(1.0 / std::sqrt(static_cast<double>(i) + 1));
    else if (side == Side::Excluded) w.push_back(0.06);
    else if (side == Side::Satisfied) w.push_back(lean * (i == 0 ? 1.2 : 0.8));
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
      case ElementType::Panel:
      case ElementType::MatrixDropdown:
      case ElementType::Ranking:
      case ElementType::ImagePicker:
      case ElementType::Html:
      case ElementType::Expression:
      case ElementType::MultipleText:
      case ElementType::PanelDynamic: break;
    }
  }
  return a;
}

namespace {

// What the township wrote back, by category (the reports' 及时公布整改情况).
std::string demoReply(const std::string& category) {
  static const std::map<std::string, std::string> replies = {
      {"fire_safety", "已会同消防网格员到现场检查，楼道内堆放的杂物已清理，灭火器已补齐。"},
      {"hygiene", "已安排保洁人员清理卫生死角，并将该处列入每周两次的巡查。"},
      {"building", "城管中队已上门告知，屋顶违建已于本周拆除。"},
      {"hallway_lights", "物业已更换损坏的楼道灯，现已恢复照明。"},
      {"ebike_charging", "已上门劝导并拆除飞线，小区新增电动车充电桩12个。"},
      {"fire_lane", "已清理占道车辆，设置禁停标志，物业每日巡查。"},
      {"property", "已约谈物业公司，要求一周内整改并向居民公示整改结果。"},
      {"staff_conduct", "已核实情况，对相关工作人员进行批评教育，并在服务大厅公开服务承诺。"},
  };
  auto it = replies.find(category);
  return it != replies.end() ? it->second : "已转相关部门办理，办理结果已电话告知反映人。";
}

}  // namespace

int demoHandleTickets(ServerStore& store, std::mt19937& rng, const TicketPolicy& policy,
                      std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const std::vector<Community> communities = store.communities();
  TicketQuery all;
  all.limit = 1000000;
  int changed = 0;
  auto u = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
  // Youngest first: the most recent ticket that reaches 办结 is left waiting for its 回访, so a demo always has
  // one to show the resident's side with.
  std::vector<Ticket> tickets = store.tickets(all);
  std::sort(tickets.begin(), tickets.end(), [](const Ticket& a, const Ticket& b) { return a.createdAt > b.createdAt; });
  bool oneWaiting = false;
  for (Ticket t : tickets) {
    if (t.status != TicketState::Received) continue;  // handled already (the demo ran before)
    const auto created = parseIsoUtc(t.createdAt), due = parseIsoUtc(t.dueAt);
    if (!created || !due) continue;
    auto at = *created;
    bool touched = false;
    // One step, dated `after` the previous one; false (and nothing written) when that is still in the future.
    auto step = [&](TicketChange c, duration<double, std::ratio<3600>> after) {
      const auto when = at + duration_cast<seconds>(after);
      if (when > now) return false;
      c.at = protocol::isoUtc(when);
      const std::string readAt = t.updatedAt;
      TicketLogEntry entry;
      if (applyTicketChange(t, c, policy, entry) || !store.updateTicket(t, readAt, entry)) return false;
      at = when;
      touched = true;
      return true;
    };
    auto change = [](TicketAction action, const std::string& actor, const std::string& text = "") {
      TicketChange c;
      c.action = action;
      c.actor = actor;
      c.text = text;
      return c;
    };
    auto handle = [&]() {
      if (u(0, 1) < 0.04) {
        step(change(TicketAction::Reject, "admin", "不属于本镇职责范围，已告知反映人向区住建局反映。"), hours(static_cast<int>(u(2, 30))));
        return;
      }
      std::string community = t.communityId;
      if (community.empty() && !communities.empty())
        community = communities[std::uniform_int_distribution<size_t>(0, communities.size() - 1)(rng)].id;
      TicketChange assign = change(TicketAction::Assign, "admin");
      assign.communityId = community;
      if (!step(assign, hours(static_cast<int>(u(1, 6))))) return;
      if (!step(change(TicketAction::Start, "admin"), hours(static_cast<int>(u(1, 20))))) return;
      // Most are done well inside the deadline, about one in five after it.
      const double span = duration<double, std::ratio<3600>>(*due - *created).count();
      const double share = u(0, 1) < 0.8 ? u(0.3, 0.95) : u(1.05, 1.6);
      const double left = std::max(1.0, span * share - duration<double, std::ratio<3600>>(at - *created).count());
      if (!step(change(TicketAction::Resolve, "admin", demoReply(t.category)), duration<double, std::ratio<3600>>(left))) return;
      if (!oneWaiting) {
        oneWaiting = true;
        return;
      }
      if (u(0, 1) < 0.7) {  // most residents answer the 回访
        TicketChange rate = change(TicketAction::Rate, "resident");
        const double r = u(0, 1);
        rate.rating = r < 0.62 ? Rating::Satisfied : r < 0.9 ? Rating::Basic : Rating::Unsatisfied;
        rate.via = u(0, 1) < 0.5 ? "web" : u(0, 1) < 0.6 ? "kiosk" : "phone";
        if (!step(rate, hours(static_cast<int>(u(4, 72))))) return;
      } else {
        step(change(TicketAction::Close, "system"), hours(24 * 7));
      }
    };
    handle();
    if (t.status == TicketState::Reopened) {  // 不满意: handled again
      step(change(TicketAction::Start, "admin"), hours(static_cast<int>(u(2, 24))));
      if (step(change(TicketAction::Resolve, "admin", demoReply(t.category) + "经再次核查，已安排专人跟进。"), hours(static_cast<int>(u(24, 96)))))
        step(change(TicketAction::Close, "system"), hours(24 * 7));  // as minyi-server's housekeeping would
    }
    changed += touched;
  }
  return changed;
}

}  // namespace minyi::server
