// Provisioning files: the township server signs them with a key derived from its own key pair; kiosks check them.
#include "minyi/protocol/provisioning.h"

#include <sodium.h>

#include <algorithm>
#include <filesystem>

#include "minyi/core/json_input.h"
#include "minyi/protocol/times.h"

namespace minyi::protocol {

namespace {

using json = core::Json;

struct SigningKeys {
  SigningPublicKey publicKey{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secretKey{};
};

// A keyed hash of the X25519 secret with a label: the same server.key always gives the same signing key, which
// says nothing about the secret it came from.
SigningKeys signingKeys(const KeyPair& serverKeys) {
  static const char kLabel[] = "minyi provisioning signing key v1";
  if (sodium_init() < 0) std::abort();
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  crypto_generichash(seed.data(), seed.size(), reinterpret_cast<const unsigned char*>(kLabel), sizeof kLabel - 1,
                     serverKeys.secretKey.data(), serverKeys.secretKey.size());
  SigningKeys k;
  crypto_sign_seed_keypair(k.publicKey.data(), k.secretKey.data(), seed.data());
  sodium_memzero(seed.data(), seed.size());
  return k;
}

json payloadJson(const Provisioning& p) {
  return json{{"server_url", p.serverUrl}, {"server_key", p.serverKey}, {"site_id", p.siteId},
              {"site_name", p.siteName},   {"device_id", p.deviceId},   {"device_name", p.deviceName},
              {"code", p.code},            {"expires_at", p.expiresAt}};
}

ProvisioningCheck refused(ProvisioningProblem problem, std::string detail) {
  ProvisioningCheck c;
  c.problem = problem;
  c.detail = std::move(detail);
  return c;
}

}  // namespace

SigningPublicKey provisioningKey(const KeyPair& serverKeys) {
  auto k = signingKeys(serverKeys);
  sodium_memzero(k.secretKey.data(), k.secretKey.size());
  return k.publicKey;
}

std::string signProvisioning(const Provisioning& p, const KeyPair& serverKeys) {
  auto keys = signingKeys(serverKeys);
  const std::string payload = payloadJson(p).dump();
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                       keys.secretKey.data());
  sodium_memzero(keys.secretKey.data(), keys.secretKey.size());
  const json file{{"format", kProvisioningFormat},
                  {"format_version", kProvisioningFormatVersion},
                  {"payload", payload},
                  {"signed_by", encodeKey(keys.publicKey)},
                  {"signature", base64Encode(std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()))}};
  return file.dump(2) + "\n";
}

const char* problemName(ProvisioningProblem p) {
  switch (p) {
    case ProvisioningProblem::NotProvisioning: return "not_provisioning";
    case ProvisioningProblem::OtherSigner: return "other_signer";
    case ProvisioningProblem::Altered: return "altered";
    case ProvisioningProblem::Expired: return "expired";
  }
  return "not_provisioning";
}

ProvisioningCheck checkProvisioning(std::string_view text, const SigningPublicKey& trusted,
                                    std::chrono::system_clock::time_point now) {
  using P = ProvisioningProblem;
  if (text.size() > kMaxProvisioningBytes) return refused(P::NotProvisioning, "the file is larger than a provisioning file");
  // From a USB stick anybody may have written: parsed with the limits of all untrusted JSON.
  std::string why;
  const core::JsonLimits limits{kMaxProvisioningBytes, 8};
  const json file = core::parseJsonText(text, &why, limits).value_or(json());
  auto str = [](const json& j, const char* key) -> std::optional<std::string> {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return std::nullopt;
    return j[key].get<std::string>();
  };
  if (str(file, "format") != std::string(kProvisioningFormat))
    return refused(P::NotProvisioning, "not a Minyi provisioning file");
  if (!file.contains("format_version") || file["format_version"] != kProvisioningFormatVersion)
    return refused(P::NotProvisioning, "a provisioning file of another format version");
  const auto payload = str(file, "payload"), signedBy = str(file, "signed_by"), signatureText = str(file, "signature");
  if (!payload || !signedBy || !signatureText) return refused(P::NotProvisioning, "the payload or its signature is missing");
  // Checked against the key this kiosk trusts, never against the key the file names: a file names whichever
  // key made it.
  const auto signer = decodeKey(*signedBy);
  if (!signer || *signer != trusted)
    return refused(P::OtherSigner, "signed by " + *signedBy + ", not by this township's server (" + encodeKey(trusted) + ")");
  const auto signature = base64Decode(*signatureText);
  if (!signature || signature->size() != crypto_sign_BYTES ||
      crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature->data()),
                                  reinterpret_cast<const unsigned char*>(payload->data()), payload->size(), trusted.data()) != 0)
    return refused(P::Altered, "the signature does not match the content: the file was changed after it was signed");
  const json fields = core::parseJsonText(*payload, &why, limits).value_or(json());
  Provisioning p;
  for (auto [key, target] : {std::pair{"server_url", &p.serverUrl}, {"server_key", &p.serverKey}, {"site_id", &p.siteId},
                             {"site_name", &p.siteName}, {"device_id", &p.deviceId}, {"device_name", &p.deviceName},
                             {"code", &p.code}, {"expires_at", &p.expiresAt}}) {
    auto v = str(fields, key);
    if (!v) return refused(P::NotProvisioning, std::string("the signed content has no ") + key);
    *target = *v;
  }
  if (p.serverUrl.empty() || p.code.empty() || !decodeKey(p.serverKey))
    return refused(P::NotProvisioning, "the signed content has no server address, code or key");
  const auto expires = parseIsoUtc(p.expiresAt);
  if (!expires) return refused(P::NotProvisioning, "expires_at is not a time: " + p.expiresAt);
  if (now >= *expires) return refused(P::Expired, "its code expired at " + p.expiresAt);
  ProvisioningCheck ok;
  ok.file = std::move(p);
  return ok;
}

std::vector<std::string> findProvisioningFiles(const std::string& folder) {
  std::vector<std::string> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kProvisioningFilePrefix, 0) == 0 && it->path().extension() == ".json") files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void markProvisioningUsed(const std::string& path) {
  std::error_code ec;
  std::filesystem::rename(path, std::filesystem::path(path).replace_extension(".used"), ec);
}

ProvisioningCheck checkProvisioningFile(const std::string& path, const SigningPublicKey& trusted,
                                        std::chrono::system_clock::time_point now) {
  std::string why;
  auto text = core::readTextFile(path, &why, kMaxProvisioningBytes);
  if (!text) return refused(ProvisioningProblem::NotProvisioning, why);
  return checkProvisioning(*text, trusted, now);
}

}  // namespace minyi::protocol
