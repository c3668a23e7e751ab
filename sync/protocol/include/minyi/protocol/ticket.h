// Complaint ticket codes (issue #5): made on the kiosk without the network, unique by construction, short
// enough to read over the phone, with a check symbol that catches any single typo or swap of neighbours.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minyi::protocol {

// A code is 9 Crockford symbols of payload and 1 check symbol, shown as two groups of five: "K3M9Q-2XH7R".
// The payload's 45 bits are the kiosk's number (13 bits, given by the server when the device was added)
// and that kiosk's own serial (32 bits): two kiosks never make the same code, and no network is needed.
constexpr uint32_t kMaxKioskNumber = (1u << 13) - 1;  // 8191 kiosks in one township
constexpr int kTicketCodeLength = 10;

// The code for this kiosk's `serial`-th complaint, grouped for reading. kioskNumber 1..8191, serial >= 1.
std::string makeTicketCode(uint32_t kioskNumber, uint32_t serial);

// What a resident typed, checked. Malformed: not 10 Crockford symbols (after dropping spaces and dashes,
// reading O as 0 and I/L as 1). Mistyped: 10 symbols whose check symbol does not match — some symbol was
// typed wrong. Ok: a code some kiosk could have made (whether it exists is the server's or kiosk's question).
struct TicketCode {
  enum class Check { Ok, Mistyped, Malformed };
  Check check = Check::Malformed;
  std::string code;  // the 10 symbols, ungrouped, when Ok or Mistyped
};
TicketCode checkTicketCode(std::string_view typed);

// Who made a code: the kiosk's number and that kiosk's serial, read back from a well-formed code (nullopt
// when it is not one: wrong length or check symbol). Kiosk 0 and serial 0 come back as they are; no kiosk
// makes them, and the server refuses them.
struct TicketOrigin {
  uint32_t kioskNumber = 0;
  uint32_t serial = 0;
};
std::optional<TicketOrigin> ticketOrigin(std::string_view code);

// The check symbol of 9 payload symbols: the Damm algorithm over GF(32) (x∘y = αx + y), which catches every
// single substitution and every transposition of two neighbouring symbols.
char ticketCheckSymbol(std::string_view payload);

// The unguessable key that rides in the QR link beside the code (16 symbols: 80 bits, from libsodium).
std::string newTicketAccessKey();
// "<server>/t/<code>?k=<key>": the resident's phone opens the public ticket page with it.
std::string ticketLink(std::string_view serverUrl, std::string_view code, std::string_view accessKey);

}  // namespace minyi::protocol
