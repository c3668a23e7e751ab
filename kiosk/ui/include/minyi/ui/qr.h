// QR codes for complaint receipts (libqrencode): a plain module matrix the views draw as squares.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace minyi::ui {

struct QrMatrix {
  int size = 0;                // modules per side, without the quiet zone
  std::vector<bool> dark;      // size * size, row by row
  bool at(int x, int y) const { return dark[static_cast<size_t>(y) * size + x]; }
};

// Error correction level M (15 % of the code may be dirty or glared and it still reads); nullopt when the
// text is too long for a QR code.
std::optional<QrMatrix> makeQr(const std::string& text);

}  // namespace minyi::ui
