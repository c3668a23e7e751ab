// Replies compressed for speed: gzip at level 1, whole bodies and streamed ones (issue #11 item 12).
#pragma once
#include <httplib.h>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

struct z_stream_s;  // zlib's stream state

namespace minyi::server {

// Where the API server keeps the client's Accept-Encoding, out of httplib's sight: httplib would compress
// with brotli at its slowest setting for every current browser (a 50,000-row CSV took 30 s instead of 0.5).
constexpr const char* kAcceptEncodingKept = "Minyi-Accept-Encoding";

// True when the client's Accept-Encoding takes gzip ("gzip, deflate, br", "gzip;q=0.8"; not "gzip;q=0").
bool acceptsGzip(const std::string& acceptEncoding);
// Text types worth compressing (HTML, CSS, CSV, JSON, SVG); XLSX and images are compressed already.
bool compressibleType(const std::string& contentType);
// A reply body compressed for speed: gzip at level 1 when the client's Accept-Encoding takes gzip and the
// reply is text of 1 KB or more (Content-Encoding and Vary set); false when it was left as it is.
bool compressForSpeed(const std::string& acceptEncoding, httplib::Response& res);

// gzip (level 1) over a body written piece by piece: what comes out goes to `out` as it is made, in pieces
// of up to 64 KB. `out` returning false (the client went away) makes write() and finish() return false.
class GzipStream {
 public:
  using Out = std::function<bool(std::string_view)>;
  explicit GzipStream(Out out);
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;
  bool write(std::string_view data);
  bool finish();  // the end of the gzip stream (trailer with the CRC); nothing may be written after

 private:
  bool pump(int flush);
  Out out_;
  std::unique_ptr<z_stream_s> z_;
  std::string buffer_;
};

}  // namespace minyi::server
