// The server's staff and IT commands: key pair, sites, kiosk enrollment codes, form upload, notices, USB import.
#include "server_commands.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "form_commands.h"
#include "cli_common.h"
#include "minyi/core/json_input.h"
#include "minyi/protocol/codes.h"
#include "minyi/protocol/address.h"
#include "minyi/protocol/crypto.h"
#include "minyi/protocol/provisioning.h"
#include "minyi/protocol/times.h"
#include "minyi/server/ingest.h"
#include "minyi/server/places.h"
#include "minyi/server/server_store.h"
#include "minyi/server/usb_import.h"

namespace minyi::cli {

using core::Json;
namespace fs = std::filesystem;

namespace {

constexpr auto kCodeValidity = std::chrono::hours(24);

// "2026-11-27T08:00:00.123Z" → "2026-11-27 08:00 UTC", for people.
std::string readable(const std::string& iso) {
  if (iso.size() < 16) return iso.empty() ? "-" : iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

void listSites(server::ServerStore& store, std::ostream& out) {
  const auto sites = store.sites();
  // A new data folder has no places: say how to add them rather than print an empty list.
  if (sites.empty()) out << "  (none yet: add them with `minyi community add` and `minyi site add`, or `minyi demo --places-only`)\n";
  for (const auto& s : sites) out << "  " << s.id << "  " << s.name << "\n";
}

// --- keygen ---

int runKeygen(const std::string& folder) {
  std::error_code ec;
  if (!fs::exists(folder, ec) && ::mkdir(folder.c_str(), 0700) != 0)
    return fail("cannot create the folder " + folder);
  std::string error;
  const protocol::KeyPair keys = protocol::generateKeyPair();
  if (!protocol::writeKeyFiles(folder, keys, &error)) return fail(error, kProblems);
  std::cout << "secret key pair: " << folder << "/server.key (keep it; only the server's user may read it)\n"
            << "public key:      " << folder << "/server.pub " << protocol::encodeKey(keys.publicKey) << "\n"
            << "provisioning key: " << protocol::encodeKey(protocol::provisioningKey(keys))
            << " (kiosks' [server] provisioning_key: they take USB sticks this server signed)\n";
  return kOk;
}

// --- communities and sites: the township's places, as data ---

void listCommunities(server::ServerStore& store, std::ostream& out) {
  for (const auto& c : store.communities()) out << "  " << c.id << "  " << c.name << "  " << c.households << " households\n";
}

int runCommunityAdd(const std::string& dataDir, const server::Community& c) {
  if (!server::isPlaceId(c.id)) return fail("a community id is 1-40 lowercase letters, digits and dashes, e.g. donghu");
  if (c.name.empty()) return fail("give the community's name with --name");
  if (c.households < 0) return fail("--households cannot be negative");
  return withStore(dataDir, [&](server::ServerStore& store) {
    if (!store.addCommunity(c)) return fail("a community with the id " + c.id + " already exists", kProblems);
    audit(store, "community_add", c.id, c.name + ", " + std::to_string(c.households));
    std::cout << "community " << c.id << " (" << c.name << "), " << c.households << " households\n";
    return int{kOk};
  });
}

int runHouseholds(const std::string& dataDir, const std::string& id, int64_t households) {
  if (households < 0) return fail("--households cannot be negative");
  return withStore(dataDir, [&](server::ServerStore& store) {
    if (!store.setHouseholds(id, households)) {
      std::cerr << "minyi: error: there is no community " << id << "; the communities are:\n";
      listCommunities(store, std::cerr);
      return int{kBadInput};
    }
    audit(store, "community_households", id, std::to_string(households));
    std::cout << "community " << id << " now has " << households << " households\n";
    return int{kOk};
  });
}

int runSiteAdd(const std::string& dataDir, const server::Site& s) {
  if (!server::isPlaceId(s.id)) return fail("a site id is 1-40 lowercase letters, digits and dashes, e.g. donghu-dqfwzx");
  if (s.name.empty()) return fail("give the site's name with --name");
  return withStore(dataDir, [&](server::ServerStore& store) {
    if (store.site(s.id)) return fail("a site with the id " + s.id + " already exists", kProblems);
    if (!store.addSite(s)) {
      std::cerr << "minyi: error: there is no community " << s.communityId << "; the communities are:\n";
      listCommunities(store, std::cerr);
      return int{kBadInput};
    }
    audit(store, "site_add", s.id, s.name + (s.communityId.empty() ? "" : ", " + s.communityId));
    std::cout << "site " << s.id << " (" << s.name << ")"
              << (s.communityId.empty() ? std::string(", township-wide") : ", in " + s.communityId) << "\n";
    return int{kOk};
  });
}

// --- devices ---

// --provision-to: where the stick is mounted, the server's address as kiosks reach it, its key pair (which signs).
struct ProvisionTo {
  std::string folder, url, keyFile = "/etc/minyi/server.key";
};

int runDeviceAdd(const std::string& dataDir, const std::string& siteId, const std::string& name, std::string id,
                 const ProvisionTo& provision) {
  // Everything the provisioning file needs is checked before the device exists: no kiosk without its stick.
  std::optional<protocol::KeyPair> keys;
  if (!provision.folder.empty()) {
    std::string why;
    if (provision.url.empty()) return fail("--provision-to needs --url, the server's address as kiosks reach it", kBadInput);
    if (auto insecure = protocol::insecureServerAddress(provision.url, false)) return fail(*insecure, kBadInput);
    keys = protocol::readKeyPairFile(provision.keyFile, &why);
    if (!keys) return fail(why + " (--key: the server's key pair, which signs the file)", kBadInput);
    std::error_code ec;
    if (!fs::is_directory(provision.folder, ec)) return fail("no folder " + provision.folder + " (is the USB stick mounted?)", kBadInput);
  }
  return withStore(dataDir, [&](server::ServerStore& store) {
    auto site = store.site(siteId);
    if (!site) {
      std::cerr << "minyi: error: there is no site " << siteId << "; the sites are:\n";
      listSites(store, std::cerr);
      return int{kBadInput};
    }
    if (id.empty()) id = "kiosk-" + protocol::randomHex(4);
    const std::string code = protocol::randomCrockford(10);
    const std::string expires = protocol::isoUtc(std::chrono::system_clock::now() + kCodeValidity);
    if (!store.addDevice({id, siteId, name, protocol::sha256Hex(code), expires, now()}))
      return fail("a device with the id " + id + " already exists", kProblems);
    const auto added = store.device(id);
    std::cout << "device " << id << " at " << site->name << " (" << siteId << "), kiosk number "
              << (added && added->kioskNumber > 0 ? std::to_string(added->kioskNumber) : std::string("none left")) << "\n"
              << "enrollment code: " << protocol::groupCode(code) << "\n"
              << "type it on the kiosk's admin panel with this server's address before " << readable(expires)
              << "; it works once\n";
    if (keys) {
      protocol::Provisioning p{provision.url, protocol::encodeKey(keys->publicKey), siteId, site->name, id, name,
                               protocol::groupCode(code), expires};
      const std::string path = provision.folder + "/" + protocol::kProvisioningFilePrefix + id + ".json";
      std::string why;
      if (!protocol::writeNewFile(path, protocol::signProvisioning(p, *keys), 0644, &why))
        return fail(why + "; the kiosk was added: enroll it with the code above", kProblems);
      std::cout << "provisioning file: " << path << " (signed by this server; insert the stick at the kiosk's admin panel)\n"
                << "kiosks trust it with [server] provisioning_key = \""
                << protocol::encodeKey(protocol::provisioningKey(*keys)) << "\"\n";
    }
    return int{kOk};
  });
}

std::string deviceState(const server::Device& d) {
  if (d.revoked()) return "revoked " + readable(d.revokedAt);
  if (!d.enrolledAt.empty()) return "enrolled " + readable(d.enrolledAt);
  if (d.codeExpiresAt < now()) return "code expired";
  return "waiting for enrollment";
}

int runDeviceList(const std::string& dataDir) {
  return withStore(dataDir, [&](server::ServerStore& store) {
    const auto devices = store.devices();
    if (devices.empty()) {
      std::cout << "no devices yet (add one with `minyi device add --site SITE`)\n";
      return int{kOk};
    }
    for (const auto& d : devices) {
      std::cout << d.id << "  " << d.siteId << "  " << (d.name.empty() ? "-" : d.name) << "  " << deviceState(d)
                << "  last contact " << readable(d.lastContact) << "  waiting "
                << (d.lastBacklog ? std::to_string(*d.lastBacklog) : std::string("?")) << "  kiosk number "
                << (d.kioskNumber > 0 ? std::to_string(d.kioskNumber) : std::string("none")) << "\n";
    }
    return int{kOk};
  });
}

int runDeviceRevoke(const std::string& dataDir, const std::string& id) {
  return withStore(dataDir, [&](server::ServerStore& store) {
    if (!store.revokeDevice(id, now())) return fail("there is no device " + id, kProblems);
    std::cout << "device " << id << " is revoked: its token and any unused code no longer work\n";
    return int{kOk};
  });
}

// --- forms ---

int runFormUpload(const std::string& dataDir, const std::string& file, const std::string& activate) {
  std::string text;
  auto form = loadFormFile(file, true, &text);
  if (!form) return fail(file + " has errors (listed above) and was not uploaded", kProblems);
  return withStore(dataDir, [&](server::ServerStore& store) {
    const core::MinyiSettings& m = form->minyi;
    server::StoredForm f{m.id, m.version, protocol::formContentHash(text), m.kind, text, now()};
    const std::string name = "form " + f.id + " version " + std::to_string(f.version);
    switch (store.addForm(f)) {
      case server::FormAdded::New: std::cout << "uploaded " << name << " (" << f.kind << ")\n"; break;
      case server::FormAdded::AlreadyThere: std::cout << name << " is already on the server, unchanged\n"; break;
      case server::FormAdded::VersionTaken:
        return fail(name + " is already on the server with other content; raise \"version\" in the form's "
                    "\"minyi\" section for the changed form", kProblems);
    }
    if (activate.empty()) return int{kOk};
    const std::string site = activate == "all" ? std::string(server::kAllSites) : activate;
    if (!store.activateForm(f.id, f.version, site, now())) {
      std::cerr << "minyi: error: there is no site " << activate << " (use a site id or all); the sites are:\n";
      listSites(store, std::cerr);
      return int{kBadInput};
    }
    std::cout << "kiosks at " << (activate == "all" ? std::string("every site") : activate) << " now offer " << name
              << "\n";
    return int{kOk};
  });
}

// --- notices ---

struct NoticeTexts {
  std::string titleZhCn, bodyZhCn, titleZhTw, bodyZhTw, titleEn, bodyEn;
};

int runNoticeAdd(const std::string& dataDir, const NoticeTexts& t, std::vector<std::string> sites,
                 const std::string& until) {
  protocol::Notice n;
  n.id = "notice-" + protocol::randomHex(6);
  n.publishedAt = now();
  n.until = until;
  auto put = [](Json& j, const char* lang, const std::string& text) {
    if (!text.empty()) j[lang] = text;
  };
  put(n.title, "zh-cn", t.titleZhCn);
  put(n.title, "zh-tw", t.titleZhTw);
  put(n.title, "en", t.titleEn);
  put(n.body, "zh-cn", t.bodyZhCn);
  put(n.body, "zh-tw", t.bodyZhTw);
  put(n.body, "en", t.bodyEn);
  // The kiosk checks every notice it receives with the protocol's parser: check here first, with the same one.
  std::string why;
  if (!protocol::parseNotice(protocol::toJson(n), &why)) return fail("the notice is not acceptable: " + why);
  if (sites.empty()) sites.push_back(server::kAllSites);
  return withStore(dataDir, [&](server::ServerStore& store) {
    if (!store.addNotice({n, sites})) {
      std::cerr << "minyi: error: a site named is unknown; the sites are:\n";
      listSites(store, std::cerr);
      return int{kBadInput};
    }
    std::cout << "published notice " << n.id << "\n";
    return int{kOk};
  });
}

// --- import of a kiosk's USB export (docs/kiosk-storage.md, "USB export") ---

std::string countsText(const server::UsbImportReport& c) {
  return "stored " + std::to_string(c.stored) + ", duplicate " + std::to_string(c.duplicate) + ", conflict " +
         std::to_string(c.conflict) + ", rejected " + std::to_string(c.rejected);
}

// One export through the server's import (server/usb_import.h), its problems printed line by line. Returns
// false when the export was refused whole (damaged, incomplete, unknown site, a revoked kiosk's).
bool importExport(server::ServerStore& store, const protocol::KeyPair& keys, const fs::path& manifestPath,
                  const server::UsbImportOptions& options, server::UsbImportReport& total) {
  const std::string name = manifestPath.filename().string();
  const server::UsbImportReport r = server::importUsbExport(store, keys, manifestPath, options);
  if (!r.refused.empty()) {
    std::cerr << "minyi: error: " << name << ": " << r.refused << "; nothing of it was imported\n";
    return false;
  }
  for (const auto& p : r.problems)
    std::cout << name << ": line " << p.line << (p.id.empty() ? "" : " (" + p.id + ")") << ": "
              << protocol::outcomeName(p.outcome) << ": " << p.reason << "\n";
  std::cout << name << " (site " << r.siteId << ", " << r.submissions << " submissions): " << countsText(r) << "\n";
  total.stored += r.stored;
  total.duplicate += r.duplicate;
  total.conflict += r.conflict;
  total.rejected += r.rejected;
  return true;
}

int runImport(const std::string& dataDir, const std::string& keyFile, const std::string& folder,
              const std::string& siteOverride, bool acceptRevoked) {
  std::string why;
  auto keys = protocol::readKeyPairFile(keyFile, &why);
  if (!keys) return fail(why);
  std::vector<fs::path> manifests;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string n = entry.path().filename().string();
    if (n.rfind("minyi-export-", 0) == 0 && n.size() > 14 && n.compare(n.size() - 14, 14, ".manifest.json") == 0)
      manifests.push_back(entry.path());
  }
  if (ec) return fail("cannot read the folder " + folder + ": " + ec.message());
  if (manifests.empty())
    return fail("no minyi-export-*.manifest.json in " + folder + " (an export without its manifest is incomplete)");
  std::sort(manifests.begin(), manifests.end());
  return withStore(dataDir, [&](server::ServerStore& store) {
    server::UsbImportReport total;
    bool allRead = true;
    for (const auto& m : manifests) allRead = importExport(store, *keys, m, {siteOverride, acceptRevoked}, total) && allRead;
    std::cout << "imported " << manifests.size() << " export" << (manifests.size() == 1 ? "" : "s") << ": "
              << countsText(total) << "\n";
    return int{allRead && total.conflict == 0 && total.rejected == 0 ? kOk : kProblems};
  });
}

}  // namespace

void addServerCommands(CLI::App& app, int& exitCode) {
  const std::string dataHelp = "the server's data folder (holds server.db)";

  auto keyFolder = std::make_shared<std::string>();
  CLI::App* keygen = app.add_subcommand("keygen", "make the server's key pair for sealed submissions");
  keygen->add_option("--out", *keyFolder, "folder for server.key (secret, mode 0600) and server.pub")->required();
  keygen->callback([=, &exitCode] { exitCode = runKeygen(*keyFolder); });
  auto provisioningKeyFile = std::make_shared<std::string>("/etc/minyi/server.key");
  CLI::App* provisioningKeyCmd = app.add_subcommand(
      "provisioning-key", "print the key kiosks trust for this server's USB provisioning files ([server] provisioning_key)");
  provisioningKeyCmd->add_option("--key", *provisioningKeyFile, "the server's key pair")->capture_default_str();
  provisioningKeyCmd->callback([=, &exitCode] {
    std::string why;
    auto keys = protocol::readKeyPairFile(*provisioningKeyFile, &why);
    exitCode = keys ? (std::cout << protocol::encodeKey(protocol::provisioningKey(*keys)) << "\n", int{kOk}) : fail(why, kBadInput);
  });

  auto community = std::make_shared<server::Community>();
  auto communityData = std::make_shared<std::string>();
  CLI::App* communities = app.add_subcommand("community", "the township's communities and their households");
  communities->require_subcommand(1);
  CLI::App* communityList = communities->add_subcommand("list", "list the communities with their households");
  communityList->add_option("--data", *communityData, dataHelp)->required();
  communityList->callback([=, &exitCode] {
    exitCode = withStore(*communityData, [](server::ServerStore& store) {
      listCommunities(store, std::cout);
      return int{kOk};
    });
  });
  CLI::App* communityAdd = communities->add_subcommand("add", "add a community (its households count for participation)");
  communityAdd->add_option("--data", *communityData, dataHelp)->required();
  communityAdd->add_option("--id", community->id, "a short stable id, e.g. donghu")->required();
  communityAdd->add_option("--name", community->name, "its name, e.g. 东湖社区")->required();
  communityAdd->add_option("--households", community->households, "resident households, e.g. 1516")->required();
  communityAdd->callback([=, &exitCode] { exitCode = runCommunityAdd(*communityData, *community); });
  auto householdsId = std::make_shared<std::string>();
  auto households = std::make_shared<int64_t>(0);
  CLI::App* householdsCmd = communities->add_subcommand("households", "change a community's households");
  householdsCmd->add_option("--data", *communityData, dataHelp)->required();
  householdsCmd->add_option("id", *householdsId, "the community id")->required();
  householdsCmd->add_option("--households", *households, "resident households")->required();
  householdsCmd->callback([=, &exitCode] { exitCode = runHouseholds(*communityData, *householdsId, *households); });

  auto siteData = std::make_shared<std::string>();
  auto newSite = std::make_shared<server::Site>();
  CLI::App* site = app.add_subcommand("site", "the township's sites");
  site->require_subcommand(1);
  CLI::App* siteAdd = site->add_subcommand("add", "add a site (a place with kiosks) in a community, or township-wide");
  siteAdd->add_option("--data", *siteData, dataHelp)->required();
  siteAdd->add_option("--id", newSite->id, "a short stable id, e.g. donghu-dqfwzx")->required();
  siteAdd->add_option("--name", newSite->name, "its name, e.g. 东湖社区党群服务中心")->required();
  siteAdd->add_option("--community", newSite->communityId, "the community id (none: a township-wide site)");
  siteAdd->callback([=, &exitCode] { exitCode = runSiteAdd(*siteData, *newSite); });
  CLI::App* siteList = site->add_subcommand("list", "list the sites with their ids");
  siteList->add_option("--data", *siteData, dataHelp)->required();
  siteList->callback([=, &exitCode] {
    exitCode = withStore(*siteData, [](server::ServerStore& store) {
      listSites(store, std::cout);
      return int{kOk};
    });
  });

  CLI::App* device = app.add_subcommand("device", "kiosks: add one (prints its one-time enrollment code), list, revoke");
  device->require_subcommand(1);
  auto devData = std::make_shared<std::string>(), devSite = std::make_shared<std::string>(),
       devName = std::make_shared<std::string>(), devId = std::make_shared<std::string>();
  CLI::App* add = device->add_subcommand("add", "add a kiosk at a site and print its enrollment code (24 h, once)");
  add->add_option("--data", *devData, dataHelp)->required();
  add->add_option("--site", *devSite, "the site id (see `minyi site list`)")->required();
  add->add_option("--name", *devName, "a name staff recognise, e.g. 大厅一号机");
  add->add_option("--id", *devId, "the device id (default: kiosk- and random hex)");
  auto provision = std::make_shared<ProvisionTo>();
  add->add_option("--provision-to", provision->folder,
                  "also write a signed provisioning file for a USB stick into this folder (the stick's mount point)");
  add->add_option("--url", provision->url, "with --provision-to: the server's address as kiosks reach it (https://...)");
  add->add_option("--key", provision->keyFile, "with --provision-to: the server's key pair, which signs the file")
      ->capture_default_str();
  add->callback([=, &exitCode] { exitCode = runDeviceAdd(*devData, *devSite, *devName, *devId, *provision); });
  CLI::App* list = device->add_subcommand("list", "list kiosks with their state, last contact and waiting submissions");
  list->add_option("--data", *devData, dataHelp)->required();
  list->callback([=, &exitCode] { exitCode = runDeviceList(*devData); });
  auto revokeId = std::make_shared<std::string>();
  CLI::App* revoke = device->add_subcommand("revoke", "revoke a kiosk: its token stops working at once");
  revoke->add_option("--data", *devData, dataHelp)->required();
  revoke->add_option("id", *revokeId, "the device id")->required();
  revoke->callback([=, &exitCode] { exitCode = runDeviceRevoke(*devData, *revokeId); });

  CLI::App* form = app.get_subcommand("form");
  auto formData = std::make_shared<std::string>(), formFile = std::make_shared<std::string>(),
       formSite = std::make_shared<std::string>();
  CLI::App* upload = form->add_subcommand("upload", "check a form with the engine and upload it to the server's data");
  upload->add_option("--data", *formData, dataHelp)->required();
  upload->add_option("file", *formFile, "the form's JSON file")->required();
  upload->add_option("--activate", *formSite, "offer it at this site id, or at all sites");
  upload->callback([=, &exitCode] { exitCode = runFormUpload(*formData, *formFile, *formSite); });

  CLI::App* notice = app.add_subcommand("notice", "notices for the kiosks' attract screen");
  notice->require_subcommand(1);
  auto noticeData = std::make_shared<std::string>(), until = std::make_shared<std::string>();
  auto texts = std::make_shared<NoticeTexts>();
  auto noticeSites = std::make_shared<std::vector<std::string>>();
  CLI::App* noticeAdd = notice->add_subcommand("add", "publish a notice now (to all sites unless --site is given)");
  noticeAdd->add_option("--data", *noticeData, dataHelp)->required();
  noticeAdd->add_option("--title-zh-cn", texts->titleZhCn, "title in simplified Chinese")->required();
  noticeAdd->add_option("--body-zh-cn", texts->bodyZhCn, "text in simplified Chinese")->required();
  noticeAdd->add_option("--title-zh-tw", texts->titleZhTw, "title in traditional Chinese");
  noticeAdd->add_option("--body-zh-tw", texts->bodyZhTw, "text in traditional Chinese");
  noticeAdd->add_option("--title-en", texts->titleEn, "title in English");
  noticeAdd->add_option("--body-en", texts->bodyEn, "text in English");
  noticeAdd->add_option("--site", *noticeSites, "a site id (repeat for several)");
  noticeAdd->add_option("--until", *until, "last moment it is shown, UTC, e.g. 2026-12-31T16:00:00Z");
  noticeAdd->callback([=, &exitCode] { exitCode = runNoticeAdd(*noticeData, *texts, *noticeSites, *until); });

  auto importData = std::make_shared<std::string>(), importKey = std::make_shared<std::string>(),
       importFolder = std::make_shared<std::string>(), importSite = std::make_shared<std::string>();
  CLI::App* import = app.add_subcommand("import", "import kiosk USB exports (minyi-export-*) into the server's data");
  import->add_option("--data", *importData, dataHelp)->required();
  import->add_option("--key", *importKey, "the server's key pair, server.key")->required();
  import->add_option("--site", *importSite, "the site the kiosk stands at (default: the one its export names)");
  import->add_option("folder", *importFolder, "the folder holding the export files (the USB stick)")->required();
  auto acceptRevoked = std::make_shared<bool>(false);
  import->add_flag("--accept-revoked", *acceptRevoked,
                   "also import exports of kiosks staff revoked (an admin's decision: the stick is known to be genuine)");
  import->callback([=, &exitCode] { exitCode = runImport(*importData, *importKey, *importFolder, *importSite, *acceptRevoked); });
}

}  // namespace minyi::cli
