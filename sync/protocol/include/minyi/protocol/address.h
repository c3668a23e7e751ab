// Server addresses as kiosks are given them: https://, or plain http:// only where nothing crosses a network.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace minyi::protocol {

// http://localhost, http://127.x.y.z or http://[::1], with any port and path: a server on the same machine.
bool isLoopbackHttp(std::string_view url);

// Why a kiosk may not send its token and residents' submissions to `url`, or nothing when it may: https://
// always; http:// only to a server on the same machine, or when the kiosk's configuration says
// `[server] allow_insecure_http = true` (a closed network whose IT accepts the risk).
std::optional<std::string> insecureServerAddress(std::string_view url, bool allowInsecureHttp);

}  // namespace minyi::protocol
