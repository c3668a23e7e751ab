// The view model's names for screens, as the automation record and the logs spell them.
#include "minyi/ui/view_model.h"

namespace minyi::ui {

const char* screenName(Screen s) {
  switch (s) {
    case Screen::Attract: return "attract";
    case Screen::FormList: return "form-list";
    case Screen::FormPage: return "form-page";
    case Screen::Review: return "review";
    case Screen::ThankYou: return "thank-you";
    case Screen::OutOfService: return "out-of-service";
    case Screen::AdminPin: return "admin-pin";
    case Screen::Admin: return "admin";
    case Screen::AdminEnroll: return "admin-enroll";
    case Screen::Lookup: return "lookup";
  }
  return "?";
}

}  // namespace minyi::ui
