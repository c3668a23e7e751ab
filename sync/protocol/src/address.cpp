// Server addresses: which ones a kiosk may use for its token and residents' submissions.
#include "minyi/protocol/address.h"

#include <algorithm>
#include <cctype>

namespace minyi::protocol {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
}  // namespace

bool isLoopbackHttp(std::string_view url) {
  const std::string u = lower(url);
  constexpr std::string_view scheme = "http://";
  if (u.rfind(scheme, 0) != 0) return false;
  const std::string_view rest = std::string_view(u).substr(scheme.size());
  if (rest.find('@') < rest.find('/')) return false;  // user@host: not an address a kiosk is given
  if (rest.rfind("[::1]", 0) == 0) {
    const char after = rest.size() > 5 ? rest[5] : '/';
    return after == ':' || after == '/';
  }
  const std::string_view host = rest.substr(0, std::min(rest.find(':'), rest.find('/')));
  if (host == "localhost") return true;
  // 127.0.0.0/8, written as four decimal numbers 0-255 (so 127.0.0.1.evil.example is not one).
  int parts = 0;
  size_t at = 0;
  while (at <= host.size()) {
    size_t dot = host.find('.', at);
    if (dot == std::string_view::npos) dot = host.size();
    const std::string_view part = host.substr(at, dot - at);
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(std::string(part)) > 255)
      return false;
    if (parts == 0 && part != "127") return false;
    ++parts;
    at = dot + 1;
  }
  return parts == 4;
}

std::optional<std::string> insecureServerAddress(std::string_view url, bool allowInsecureHttp) {
  const std::string u = lower(url);
  if (u.rfind("https://", 0) == 0) return std::nullopt;
  if (u.rfind("http://", 0) != 0) return std::string("the address must start with https://");
  if (allowInsecureHttp || isLoopbackHttp(url)) return std::nullopt;
  return std::string("http:// would send the kiosk's token and residents' submissions in the clear: use https://, or set "
                     "[server] allow_insecure_http = true in the kiosk's configuration on a closed network");
}

}  // namespace minyi::protocol
