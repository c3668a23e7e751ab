// The view model's words: screens as the automation record and the logs spell them, ratings as the store does.
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

const char* ratingWord(command::TicketRating r) {
  switch (r) {
    case command::TicketRating::Satisfied: return "satisfied";
    case command::TicketRating::Basic: return "basic";
    case command::TicketRating::Unsatisfied: return "unsatisfied";
  }
  return "unsatisfied";
}

}  // namespace minyi::ui
