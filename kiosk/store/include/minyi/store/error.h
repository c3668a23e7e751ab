// Storage errors as values: what went wrong in words staff can act on, and a code the kiosk decides by.
#pragma once
#include <string>
#include <utility>
#include <variant>

namespace minyi::store {

struct StoreError {
  enum class Code {
    DiskFull,      // no room on the disk (or the database reached its configured size)
    Corrupt,       // the database file is damaged or is not a database
    ReadOnly,      // the file, its folder or the whole filesystem cannot be written
    Busy,          // another program held the database longer than the busy timeout
    NewerVersion,  // the database was made by a newer Minyi; it is left untouched
    NotFound,      // no submission or form with that id
    Invalid,       // the caller passed something the store refuses (empty form id, bad flag)
    Other,         // anything else (I/O error, out of memory); the message says what
  };
  Code code = Code::Other;
  std::string message;  // plain English for the admin panel and logs, e.g. "the disk is full (3 MB free)"
};

// A short name of the code ("disk full", "corrupt", ...) for logs and tests.
const char* codeName(StoreError::Code code);

// Done is the value of an operation that returns nothing but can fail.
struct Done {};

// The value of an operation or the StoreError that stopped it; the store never throws.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit so functions can `return value;`
  Result(StoreError error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const StoreError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, StoreError> v_;
};

using Status = Result<Done>;

}  // namespace minyi::store
