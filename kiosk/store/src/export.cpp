// USB export of the outbox: JSON lines plus a manifest (protocol/usb_export.h), each written to a temp name, fsynced, renamed.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "minyi/protocol/usb_export.h"
#include "store_impl.h"

namespace minyi::store {

namespace {

using detail::Statement;

constexpr size_t kFlushBytes = 64 * 1024;

std::string hex(const unsigned char* bytes, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += digits[bytes[i] >> 4];
    s += digits[bytes[i] & 15];
  }
  return s;
}


// 20240501T080000Z: sorts by time and is a legal file name on the FAT file systems of USB sticks.
std::string compactUtc(std::chrono::system_clock::time_point t) {
  const time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// A file written through a temporary name: write, fsync, close, then rename into place. The
// destructor removes whatever was not renamed, so a failed export leaves no temp files behind.
class AtomicFile {
 public:
  AtomicFile(std::string tempPath, std::string finalPath)
      : temp_(std::move(tempPath)), final_(std::move(finalPath)) {}
  ~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!renamed_) ::unlink(temp_.c_str());
  }
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  int create() {
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    return fd_ < 0 ? errno : 0;
  }
  int write(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      done += static_cast<size_t>(n);
    }
    return 0;
  }
  // fsync, close (a USB stick may report a failed write only here) and rename; returns errno or 0.
  int commit() {
    if (::fsync(fd_) != 0) return errno;
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return errno;
    if (::rename(temp_.c_str(), final_.c_str()) != 0) return errno;
    renamed_ = true;
    return 0;
  }
  // Takes back a renamed file (when a later step of the export fails).
  void discard() {
    if (renamed_) ::unlink(final_.c_str());
    renamed_ = false;
  }

 private:
  std::string temp_, final_;
  int fd_ = -1;
  bool renamed_ = false;
};

}  // namespace

Result<ExportReport> KioskStore::exportOutbox(const std::string& folder, const ExportOptions& options) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Impl& im = *impl_;
  const std::string doing = "exporting to " + folder;
  struct stat st {};
  if (folder.empty() || ::stat(folder.c_str(), &st) != 0) return detail::errnoError(folder.empty() ? ENOENT : errno, doing);
  if (!S_ISDIR(st.st_mode)) return detail::errnoError(ENOTDIR, doing);
  if (::access(folder.c_str(), W_OK) != 0) return detail::errnoError(errno, doing);

  const auto now = im.now();
  std::string base = folder + "/minyi-export-" + compactUtc(now);
  for (int n = 2; exists(base + ".jsonl") || exists(base + ".manifest.json"); ++n)
    base = folder + "/minyi-export-" + compactUtc(now) + "-" + std::to_string(n);
  const std::string dataName = base.substr(folder.size() + 1) + ".jsonl";
  const std::string manifestName = base.substr(folder.size() + 1) + ".manifest.json";
  ExportReport report;
  report.dataPath = folder + "/" + dataName;
  report.manifestPath = folder + "/" + manifestName;

  AtomicFile data(folder + "/." + dataName + ".tmp", report.dataPath);
  if (int e = data.create()) return detail::errnoError(e, doing);

  crypto_hash_sha256_state sha;
  crypto_hash_sha256_init(&sha);
  std::string buffer;
  auto flush = [&]() -> int {
    crypto_hash_sha256_update(&sha, reinterpret_cast<const unsigned char*>(buffer.data()), buffer.size());
    report.dataBytes += buffer.size();
    const int e = data.write(buffer);
    buffer.clear();
    return e;
  };

  // One read transaction: the lines and the counts describe the same moment.
  int rc = detail::exec(im.db, "BEGIN");
  if (rc != SQLITE_OK) return im.fail(rc, doing);
  {
    Statement q(im.db, std::string("SELECT ") + detail::kSubmissionColumns + " FROM submissions" +
                           (options.includeAll ? "" : " WHERE state != 'sent'") + " ORDER BY rowid");
    while ((rc = q.step()) == SQLITE_ROW) {
      const Submission s = detail::readSubmission(q);
      protocol::ExportedSubmission line;
      line.envelope = protocol::Envelope{s.id,      s.formId, s.formVersion, s.formHash,   s.kind,
                                         s.createdAt, s.flags, s.payload,     s.ticketCode, s.ticketKeySealed};
      line.state = stateName(s.state);
      line.attempts = s.attempts;
      line.lastError = s.lastError;
      line.sentAt = s.sentAt;
      buffer += protocol::exportLine(line);
      buffer += '\n';
      ++report.submissions;
      switch (s.state) {
        case SubmissionState::Pending: ++report.counts.pending; break;
        case SubmissionState::Sent: ++report.counts.sent; break;
        case SubmissionState::Conflict: ++report.counts.conflict; break;
        case SubmissionState::Rejected: ++report.counts.rejected; break;
      }
      if (buffer.size() >= kFlushBytes) {
        if (int e = flush()) {
          im.rollback();
          return detail::errnoError(e, doing);
        }
      }
    }
  }
  if (rc != SQLITE_DONE) {
    StoreError e = im.fail(rc, doing);
    im.rollback();
    return e;
  }
  im.rollback();  // a read transaction: nothing to keep
  if (int e = flush()) return detail::errnoError(e, doing);
  if (int e = data.commit()) return detail::errnoError(e, doing);

  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&sha, digest);
  report.dataSha256 = hex(digest, sizeof digest);

  protocol::ExportManifest manifest;
  manifest.createdAt = isoUtc(now);
  manifest.siteId = options.siteId;
  manifest.deviceId = options.deviceId;
  manifest.kioskId = options.kioskId;
  manifest.everything = options.includeAll;
  manifest.dataFile = dataName;
  manifest.dataBytes = report.dataBytes;
  manifest.dataSha256 = report.dataSha256;
  manifest.submissions = report.submissions;
  manifest.pending = report.counts.pending;
  manifest.sent = report.counts.sent;
  manifest.conflict = report.counts.conflict;
  manifest.rejected = report.counts.rejected;
  AtomicFile man(folder + "/." + manifestName + ".tmp", report.manifestPath);
  int e = man.create();
  if (!e) e = man.write(protocol::manifestText(manifest));
  if (!e) e = man.commit();
  if (e) {
    data.discard();  // a data file without its manifest would look like an interrupted export
    return detail::errnoError(e, doing);
  }
  // The renames are durable only once the folder itself is synced.
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    const int r = ::fsync(dir);
    const int err = errno;
    ::close(dir);
    if (r != 0 && err != EINVAL) {  // some file systems cannot sync a directory; that is not a failure
      man.discard();
      data.discard();
      return detail::errnoError(err, doing);
    }
  }
  return report;
}

}  // namespace minyi::store
