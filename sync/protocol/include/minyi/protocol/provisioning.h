// A kiosk's provisioning file (docs/install.md, "Enrolling by USB stick"): the server's address and key, the site
// and a one-time code, signed by the township server, so a kiosk enrolls from a USB stick without anyone typing a
// URL on its touch screen, and refuses a stick that another server (or anybody else) made or altered.
#pragma once
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "minyi/protocol/crypto.h"

namespace minyi::protocol {

constexpr const char* kProvisioningFormat = "minyi-provisioning";
constexpr int kProvisioningFormatVersion = 1;
// Files named minyi-provision-<device id>.json on the stick's top folder.
constexpr const char* kProvisioningFilePrefix = "minyi-provision-";
constexpr size_t kMaxProvisioningBytes = 16 * 1024;

struct Provisioning {
  std::string serverUrl;   // https://...: where the kiosk enrolls
  std::string serverKey;   // base64 X25519: what the kiosk seals submissions to (enrollment must hand out the same)
  std::string siteId, siteName;
  std::string deviceId, deviceName;
  std::string code;        // the one-time enrollment code
  std::string expiresAt;   // UTC ISO-8601: the code's end
};

// The Ed25519 key provisioning files are signed with. It is derived from the server's key pair (server.key), so
// there is no second secret to keep; its public half is what kiosks trust ([server] provisioning_key).
using SigningPublicKey = std::array<unsigned char, 32>;
SigningPublicKey provisioningKey(const KeyPair& serverKeys);

// The file's text: {"format", "format_version", "payload" (the fields as JSON text), "signed_by", "signature"}.
std::string signProvisioning(const Provisioning& p, const KeyPair& serverKeys);

// Why a stick's file was refused, for the admin panel's words and the audit log.
enum class ProvisioningProblem {
  NotProvisioning,  // not JSON of this format, or a field missing
  OtherSigner,      // signed by another key than the one this kiosk trusts: another township's, or made up
  Altered,          // the signer is right but the signature does not match: changed after it was signed
  Expired,          // its code's time is over: make a new one on the server
};
const char* problemName(ProvisioningProblem p);  // "not_provisioning", "other_signer", "altered", "expired"

struct ProvisioningCheck {
  std::optional<Provisioning> file;  // set when it may be used
  std::optional<ProvisioningProblem> problem;
  std::string detail;  // a sentence for the log
};
ProvisioningCheck checkProvisioning(std::string_view text, const SigningPublicKey& trusted,
                                    std::chrono::system_clock::time_point now);

// The provisioning files in a stick's top folder, in name order (IT may put several kiosks' on one stick).
std::vector<std::string> findProvisioningFiles(const std::string& folder);
// After the kiosk enrolled with it: renamed to ….used, so the next kiosk takes the stick's next file (a stick
// that cannot be written keeps it; its code works once anyway).
void markProvisioningUsed(const std::string& path);
// One of them read (at most kMaxProvisioningBytes) and checked.
ProvisioningCheck checkProvisioningFile(const std::string& path, const SigningPublicKey& trusted,
                                        std::chrono::system_clock::time_point now);

}  // namespace minyi::protocol
