// libqrencode behind makeQr: the symbol for a receipt link, as a matrix of dark modules.
#include "minyi/ui/qr.h"

#include <qrencode.h>

namespace minyi::ui {

std::optional<QrMatrix> makeQr(const std::string& text) {
  QRcode* code = QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M);
  if (!code) return std::nullopt;
  QrMatrix m;
  m.size = code->width;
  m.dark.resize(static_cast<size_t>(m.size) * m.size);
  for (size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = (code->data[i] & 1) != 0;  // bit 0: dark module
  QRcode_free(code);
  return m;
}

}  // namespace minyi::ui
