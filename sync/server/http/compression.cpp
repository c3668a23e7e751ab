// gzip at level 1 for replies, whole and streamed (see compression.h).
#include "minyi/server/compression.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace minyi::server {

bool acceptsGzip(const std::string& acceptEncoding) {
  for (size_t start = 0; start < acceptEncoding.size();) {
    size_t comma = acceptEncoding.find(',', start);
    if (comma == std::string::npos) comma = acceptEncoding.size();
    std::string item = acceptEncoding.substr(start, comma - start);
    item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
    if (item.rfind("gzip", 0) == 0 && (item.size() == 4 || item[4] == ';')) {
      const size_t q = item.find(";q=");
      return q == std::string::npos || std::strtod(item.c_str() + q + 3, nullptr) > 0;
    }
    start = comma + 1;
  }
  return false;
}

bool compressibleType(const std::string& type) {
  return type.rfind("text/", 0) == 0 || type.rfind("application/json", 0) == 0 || type.rfind("image/svg+xml", 0) == 0;
}

bool compressForSpeed(const std::string& acceptEncoding, httplib::Response& res) {
  if (res.body.size() < 1024 || res.has_header("Content-Encoding") || !acceptsGzip(acceptEncoding)) return false;
  if (!compressibleType(res.get_header_value("Content-Type"))) return false;
  std::string out;
  out.reserve(res.body.size() / 3);
  {
    GzipStream gzip([&out](std::string_view piece) {
      out.append(piece);
      return true;
    });
    if (!gzip.write(res.body) || !gzip.finish()) return false;
  }
  res.body = std::move(out);
  res.set_header("Content-Encoding", "gzip");
  res.set_header("Vary", "Accept-Encoding");
  return true;
}

GzipStream::GzipStream(Out out) : out_(std::move(out)), z_(std::make_unique<z_stream>()), buffer_(64 * 1024, '\0') {
  // Level 1: a 50,000-row CSV compresses about 5:1 at a few hundred MB/s; higher levels gain little more.
  if (deflateInit2(z_.get(), 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)  // 15 + 16: gzip wrapper
    throw std::runtime_error("zlib could not start a gzip stream");
}

GzipStream::~GzipStream() {
  deflateEnd(z_.get());
}

bool GzipStream::write(std::string_view data) {
  z_->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z_->avail_in = static_cast<uInt>(data.size());
  return pump(Z_NO_FLUSH);
}

bool GzipStream::finish() {
  z_->next_in = nullptr;
  z_->avail_in = 0;
  return pump(Z_FINISH);
}

bool GzipStream::pump(int flush) {
  for (;;) {
    z_->next_out = reinterpret_cast<Bytef*>(buffer_.data());
    z_->avail_out = static_cast<uInt>(buffer_.size());
    const int rc = deflate(z_.get(), flush);
    if (rc == Z_STREAM_ERROR) return false;
    const size_t made = buffer_.size() - z_->avail_out;
    if (made > 0 && !out_(std::string_view(buffer_.data(), made))) return false;
    if (flush == Z_FINISH ? rc == Z_STREAM_END : (z_->avail_in == 0 && z_->avail_out != 0)) return true;
  }
}

}  // namespace minyi::server
