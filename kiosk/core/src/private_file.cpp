// Owner-only files and folders: made so when created, and put right when something else made them readable.
#include "minyi/core/private_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace minyi::core {

namespace {
std::string failed(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}
}  // namespace

std::optional<std::string> makePrivateFolder(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return failed("cannot create the folder", dir);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return failed("cannot read the folder", dir);
  if (!S_ISDIR(st.st_mode)) return dir + " is not a folder";
  if ((st.st_mode & 07777) != 0700 && ::chmod(dir.c_str(), 0700) != 0)
    return failed("cannot make the folder private to its owner (chmod 0700)", dir);
  return std::nullopt;
}

std::optional<std::string> makePrivateFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno == ENOENT ? std::nullopt : std::optional(failed("cannot read", path));
  if ((st.st_mode & 0077) != 0 && ::chmod(path.c_str(), st.st_mode & 0700) != 0)
    return failed("cannot make the file private to its owner (chmod 0600)", path);
  return std::nullopt;
}

std::optional<std::string> makePrivateDatabase(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    if (auto why = makePrivateFile(path + suffix)) return why;
  return std::nullopt;
}

}  // namespace minyi::core
