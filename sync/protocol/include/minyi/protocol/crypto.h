// Sealed payloads and the small crypto helpers both sides of sync need (libsodium; DESIGN.md §7, §11).
#pragma once
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace minyi::protocol {

// The server's key pair for sealed submissions (crypto_box_seal, X25519). The kiosk holds only publicKey.
struct KeyPair {
  std::array<unsigned char, 32> publicKey{};
  std::array<unsigned char, 32> secretKey{};
};
using PublicKey = std::array<unsigned char, 32>;

KeyPair generateKeyPair();
// Anyone with the public key can seal; only the key pair opens. The sealed bytes are binary.
std::string seal(const PublicKey& to, std::string_view plaintext);
std::optional<std::string> openSealed(const KeyPair& keys, std::string_view sealed);

// Keys in files and configs are standard base64 of the 32 bytes (44 characters).
std::string encodeKey(const std::array<unsigned char, 32>& key);
std::optional<std::array<unsigned char, 32>> decodeKey(std::string_view text);

// `minyi keygen`: writes <folder>/server.key (public and secret, mode 0600) and <folder>/server.pub.
// Refuses to overwrite an existing key: losing the secret key loses every sealed submission not yet opened.
bool writeKeyFiles(const std::string& folder, const KeyPair& keys, std::string* error);
std::optional<KeyPair> readKeyPairFile(const std::string& path, std::string* error);
std::optional<PublicKey> readPublicKeyFile(const std::string& path, std::string* error);

// Creates `path` with `mode` and writes `text`, synced to the disk (a USB stick may be pulled right after);
// never replaces an existing file. False with a sentence in `error` when it could not.
bool writeNewFile(const std::string& path, const std::string& text, unsigned mode, std::string* error);

std::string base64Encode(std::string_view bytes);
std::optional<std::string> base64Decode(std::string_view text);
std::string sha256Hex(std::string_view bytes);
// Random bytes as lower-case hex (2 characters per byte).
std::string randomHex(size_t bytes);
// Compares in time independent of where the strings differ (token and key checks).
bool constantTimeEqual(std::string_view a, std::string_view b);

}  // namespace minyi::protocol
