// Files for their owner's eyes only: residents' answers, device tokens, the admin PIN's hash (issue #11 item 9).
#pragma once
#include <optional>
#include <string>

namespace minyi::core {

// The folder `dir`, created when missing, made readable by its owner only (0700) whatever made it before.
// Returns what went wrong, in words, or nothing.
std::optional<std::string> makePrivateFolder(const std::string& dir);

// The existing file `path` made readable and writable by its owner only (0600). Nothing happens to a file
// that is missing.
std::optional<std::string> makePrivateFile(const std::string& path);

// An SQLite database `path` and the -wal, -shm and -journal files beside it made 0600, right after SQLite
// opened (or created) it and before anything is written: SQLite gives those files the database file's mode.
std::optional<std::string> makePrivateDatabase(const std::string& path);

}  // namespace minyi::core
