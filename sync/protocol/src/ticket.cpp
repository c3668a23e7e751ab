// Ticket codes: kiosk number + serial in Crockford base32 with a Damm check symbol over GF(32).
#include "minyi/protocol/ticket.h"

#include <stdexcept>

#include "minyi/protocol/codes.h"

namespace minyi::protocol {

namespace {

// Multiplication by α (x) in GF(2^5) with the primitive polynomial x^5 + x^2 + 1.
unsigned timesAlpha(unsigned v) { return ((v << 1) ^ ((v & 0x10) ? 0x25u : 0u)) & 0x1Fu; }

// Damm's quasigroup x∘y = αx + y: a Latin square (every single substitution changes the result) and weakly
// totally anti-symmetric, since (c∘x)∘y = (c∘y)∘x gives (α + 1)(x + y) = 0, so x = y (α ≠ 1).
unsigned fold(std::string_view symbols) {
  unsigned interim = 0;
  for (char c : symbols) {
    const auto v = crockfordDecode(std::string_view(&c, 1));
    if (!v) throw std::invalid_argument("not a Crockford symbol");
    interim = timesAlpha(interim) ^ static_cast<unsigned>(*v);
  }
  return interim;
}

}  // namespace

char ticketCheckSymbol(std::string_view payload) {
  // The check c makes the fold of payload + c zero: α·interim + c = 0, and in characteristic 2, c = α·interim.
  return kCrockfordAlphabet[timesAlpha(fold(payload))];
}

std::string makeTicketCode(uint32_t kioskNumber, uint32_t serial) {
  if (kioskNumber < 1 || kioskNumber > kMaxKioskNumber) throw std::invalid_argument("kiosk number out of range");
  if (serial < 1) throw std::invalid_argument("serials start at 1");
  const uint64_t payload = (static_cast<uint64_t>(kioskNumber) << 32) | serial;
  std::string code = crockfordEncode(payload, 9);
  code += ticketCheckSymbol(code);
  return groupCode(code);
}

TicketCode checkTicketCode(std::string_view typed) {
  TicketCode out;
  auto symbols = normalizeCrockford(typed);
  if (!symbols || symbols->size() != static_cast<size_t>(kTicketCodeLength)) return out;
  out.code = *symbols;
  out.check = fold(*symbols) == 0 ? TicketCode::Check::Ok : TicketCode::Check::Mistyped;
  return out;
}

std::optional<TicketOrigin> ticketOrigin(std::string_view code) {
  const TicketCode checked = checkTicketCode(code);
  if (checked.check != TicketCode::Check::Ok) return std::nullopt;
  const auto payload = crockfordDecode(std::string_view(checked.code).substr(0, kTicketCodeLength - 1));
  if (!payload) return std::nullopt;
  return TicketOrigin{static_cast<uint32_t>(*payload >> 32), static_cast<uint32_t>(*payload & 0xFFFFFFFFu)};
}

std::string newTicketAccessKey() { return randomCrockford(16); }

std::string ticketLink(std::string_view serverUrl, std::string_view code, std::string_view accessKey) {
  std::string base(serverUrl);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/t/" + std::string(code) + "?k=" + std::string(accessKey);
}

}  // namespace minyi::protocol
