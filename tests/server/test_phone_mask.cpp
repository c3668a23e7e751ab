// Phone masking as residents and staff really spell numbers (issue #11 item 7): a table of spellings, masked and not.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "minyi/protocol/ticket.h"
#include "minyi/server/phone_mask.h"

using minyi::server::maskPhone;
using minyi::server::maskPhoneNumbers;

TEST_CASE("phone numbers in free text are masked whatever their spelling", "[phone]") {
  const std::vector<std::pair<std::string, std::string>> masked = {
      {"电话13812345678", "电话138****5678"},
      {"电话 138 1234 5678", "电话 138 **** 5678"},
      {"138-1234-5678", "138-****-5678"},
      {"138.1234.5678", "138.****.5678"},
      {"138 1234-5678", "138 ****-5678"},
      {"1381234 5678", "138**** 5678"},
      {"(138)1234-5678", "(138)****-5678"},
      {"+86 138 1234 5678", "+86 138 **** 5678"},
      {"+8613812345678", "+86138****5678"},
      {"0086 13812345678", "0086 138****5678"},
      {"0086-138-1234-5678", "0086-138-****-5678"},
      {"86 138 1234 5678", "86 138 **** 5678"},
      {"＋８６ １３８ １２３４ ５６７８", "＋８６ １３８ **** ５６７８"},
      {"１３８１２３４５６７８", "１３８****５６７８"},
      {"１３８－１２３４－５６７８", "１３８－****－５６７８"},
      {"手机：139　8765　4321", "手机：139　****　4321"},
      {"1 3 8 1 2 3 4 5 6 7 8", "1 3 8 * * * * 5 6 7 8"},
      {"13 812 345 678", "13 8** **5 678"},
      {"138—1234—5678", "138—****—5678"},
      {"联系王师傅13812345678或13987654321", "联系王师傅138****5678或139****4321"},
      {"2026-03-05 13812345678", "2026-03-05 138****5678"},
      {"3号楼13812345678", "3号楼138****5678"},
      {"(010) 6512 3456", "(***) **** ****"},
      {"（0755）8888-9999", "（****）****-****"},
      {"010-65123456", "***-********"},
      {"0755 8888 9999", "**** **** ****"},
      {"电话6512 3456", "电话**** ****"},
      {"电话5231234", "电话*******"},
      {"身份证110101199003071234", "身份证******************"},
      {"身份证11010119900307123X", "身份证*****************X"},
      {"8 8 8 8 9 9 9 9", "* * * * * * * *"},
  };
  for (const auto& [in, out] : masked) {
    INFO(in);
    CHECK(maskPhoneNumbers(in) == out);
  }
}

TEST_CASE("dates, times, ticket codes, building numbers and amounts stay as written", "[phone]") {
  // A ticket code can be all digits (kiosk 1's early serials often are): it is a code, not a number to hide.
  std::string allDigitTicket;
  for (uint32_t serial = 1; allDigitTicket.empty() && serial < 100000; ++serial) {
    const std::string code = minyi::protocol::makeTicketCode(1, serial);
    if (code.find_first_not_of("0123456789-") == std::string::npos) allDigitTicket = code;
  }
  REQUIRE(!allDigitTicket.empty());
  const std::vector<std::string> kept = {
      "2026-03-05",
      "2026.3.5",
      "2026/03/05 16:00",
      "20260305",
      "2026年3月5日",
      "3-2-1502",
      "12栋3单元1502室",
      "东湖路128号1502室",
      "K3M9Q-2XH7R",
      "工单 38291-47K25 已办结",
      allDigitTicket,
      "投入1234567元",
      "1234.56",
      "第3次，共12户",
      "12 3 45",
      "123456",
      "",
      "没有数字",
  };
  for (const std::string& text : kept) {
    INFO(text);
    CHECK(maskPhoneNumbers(text) == text);
  }
}

TEST_CASE("a phone answer is masked digit by digit, never byte by byte", "[phone]") {
  CHECK(maskPhone("13812341234") == "138****1234");
  CHECK(maskPhone("138 1234 1234") == "138 **** 1234");
  CHECK(maskPhone("+86 138-1234-1234") == "+86 138-****-1234");
  CHECK(maskPhone("008613812341234") == "0086138****1234");
  CHECK(maskPhone("１３８１２３４１２３４") == "１３８****１２３４");  // UTF-8 stays whole
  CHECK(maskPhone("010-65123456") == "***-****3456");
  CHECK(maskPhone("12345") == "*2345");
  CHECK(maskPhone("123") == "***");
  CHECK(maskPhone("") == "");
}
