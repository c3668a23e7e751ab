// What a resident leaves with after filing a complaint, as plain data: the code to read out or note down, the
// link its QR code carries, the category and the promised handling time in words. The receipt screen draws it;
// a slip printer or a voice reading it aloud can take the same.
#pragma once
#include <string>

namespace minyi::core {

struct Receipt {
  std::string code;      // grouped for reading: K3M9Q-2XH7R
  std::string link;      // <server>/t/<code>?k=<key>, drawn as a QR code
  std::string category;  // in the resident's language
  std::string deadline;  // "3 个工作日内", in the resident's language
};

}  // namespace minyi::core
