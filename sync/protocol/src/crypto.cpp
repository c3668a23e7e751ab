// libsodium behind the protocol's crypto helpers: sealing, key files, base64, hashes, random tokens.
#include "minyi/protocol/crypto.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace minyi::protocol {

namespace {

void ensureSodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    return true;
  }();
  (void)ready;
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::optional<std::string> readSmallFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > 4096) {
    if (error) *error = path + " is not a Minyi key file (too long)";
    return std::nullopt;
  }
  return text;
}

}  // namespace

bool writeNewFile(const std::string& path, const std::string& text, unsigned mode, std::string* error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (error) *error = "cannot create " + path + ": " + std::strerror(errno);
    return false;
  }
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok && error) *error = "cannot write " + path + ": " + std::strerror(saved);
  return ok;
}


KeyPair generateKeyPair() {
  ensureSodium();
  KeyPair k;
  crypto_box_keypair(k.publicKey.data(), k.secretKey.data());
  return k;
}

std::string seal(const PublicKey& to, std::string_view plaintext) {
  ensureSodium();
  std::string out(plaintext.size() + crypto_box_SEALBYTES, '\0');
  crypto_box_seal(reinterpret_cast<unsigned char*>(out.data()), bytes(plaintext), plaintext.size(), to.data());
  return out;
}

std::optional<std::string> openSealed(const KeyPair& keys, std::string_view sealed) {
  ensureSodium();
  if (sealed.size() < crypto_box_SEALBYTES) return std::nullopt;
  std::string out(sealed.size() - crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(out.data()), bytes(sealed), sealed.size(),
                           keys.publicKey.data(), keys.secretKey.data()) != 0)
    return std::nullopt;
  return out;
}

std::string base64Encode(std::string_view in) {
  ensureSodium();
  std::string out(sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes(in), in.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  ensureSodium();
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

std::string encodeKey(const std::array<unsigned char, 32>& key) {
  return base64Encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

std::optional<std::array<unsigned char, 32>> decodeKey(std::string_view text) {
  auto raw = base64Decode(text);
  if (!raw || raw->size() != 32) return std::nullopt;
  std::array<unsigned char, 32> key{};
  std::memcpy(key.data(), raw->data(), 32);
  return key;
}

bool writeKeyFiles(const std::string& folder, const KeyPair& keys, std::string* error) {
  const std::string secretPath = folder + "/server.key", publicPath = folder + "/server.pub";
  struct stat st {};
  if (::stat(secretPath.c_str(), &st) == 0) {
    if (error) *error = secretPath + " already exists: keep it (it opens every sealed submission); remove it by hand to make a new one";
    return false;
  }
  const std::string secretText = "# Minyi server key pair: public then secret (base64). Readable by the server's user only.\n" +
                                 encodeKey(keys.publicKey) + "\n" + encodeKey(keys.secretKey) + "\n";
  if (!writeNewFile(secretPath, secretText, 0600, error)) return false;
  ::unlink(publicPath.c_str());  // the public key always matches the new secret key
  return writeNewFile(publicPath, encodeKey(keys.publicKey) + "\n", 0644, error);
}

std::optional<KeyPair> readKeyPairFile(const std::string& path, std::string* error) {
  auto text = readSmallFile(path, error);
  if (!text) return std::nullopt;
  std::istringstream lines(*text);
  std::string line;
  std::optional<std::array<unsigned char, 32>> parts[2];
  int n = 0;
  while (std::getline(lines, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (n == 2) break;
    parts[n++] = decodeKey(line);
  }
  if (n != 2 || !parts[0] || !parts[1]) {
    if (error) *error = path + " is not a Minyi key pair (made by `minyi keygen`)";
    return std::nullopt;
  }
  KeyPair k{*parts[0], *parts[1]};
  // The two halves must belong together, or sealed submissions could never be opened.
  std::array<unsigned char, 32> derived{};
  crypto_scalarmult_base(derived.data(), k.secretKey.data());
  if (derived != k.publicKey) {
    if (error) *error = path + ": the public key does not belong to the secret key";
    return std::nullopt;
  }
  return k;
}

std::optional<PublicKey> readPublicKeyFile(const std::string& path, std::string* error) {
  auto text = readSmallFile(path, error);
  if (!text) return std::nullopt;
  auto key = decodeKey(trim(*text));
  if (!key && error) *error = path + " is not a Minyi public key (server.pub from `minyi keygen`)";
  return key;
}

std::string sha256Hex(std::string_view in) {
  ensureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, bytes(in), in.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

std::string randomHex(size_t n) {
  ensureSodium();
  std::string raw(n, '\0');
  randombytes_buf(raw.data(), n);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

bool constantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace minyi::protocol
