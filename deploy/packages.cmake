# The Debian packages (docs/install.md): minyi-kiosk, minyi-server and minyi (the staff's and IT's command line),
# made by CPack from the build tree: `cmake --build build --target package` writes them to build/packages.
# What goes where follows the systemd units in deploy/systemd: programs in /usr/bin, the kiosk's forms, strings
# and font in /usr/share/minyi-kiosk, units in /lib/systemd/system, configuration in /etc, data in /var/lib
# (made by the maintainer scripts and systemd, never shipped).
set(MINYI_DEBIAN "${CMAKE_SOURCE_DIR}/deploy/debian")

# --- minyi: the CLI -------------------------------------------------------------------------------------------
install(TARGETS minyi RUNTIME DESTINATION bin COMPONENT cli)

# --- minyi-server -------------------------------------------------------------------------------------------------
install(TARGETS minyi-server RUNTIME DESTINATION bin COMPONENT server)
install(FILES deploy/systemd/minyi-server.service DESTINATION /lib/systemd/system COMPONENT server)
install(FILES deploy/systemd/minyi-server.sysusers.conf DESTINATION lib/sysusers.d RENAME minyi-server.conf COMPONENT server)
install(FILES ${MINYI_DEBIAN}/server.toml DESTINATION /etc/minyi COMPONENT server)
install(FILES deploy/holidays-2026.toml DESTINATION /etc/minyi COMPONENT server)
# The nginx front with TLS (docs/server.md, "Behind a reverse proxy"), as a site IT enables.
install(FILES deploy/nginx/minyi.conf DESTINATION /etc/nginx/sites-available RENAME minyi COMPONENT server)
install(FILES deploy/server.example.toml docs/server.md docs/dashboard.md docs/install.md
        DESTINATION share/doc/minyi-server COMPONENT server)

# --- minyi-kiosk --------------------------------------------------------------------------------------------------
install(TARGETS minyi-kiosk RUNTIME DESTINATION bin COMPONENT kiosk)
install(DIRECTORY assets/forms assets/strings DESTINATION share/minyi-kiosk/assets COMPONENT kiosk)
install(FILES fonts/NotoSansCJKsc-Minyi.otf fonts/charset.txt DESTINATION share/minyi-kiosk/fonts COMPONENT kiosk)
install(FILES deploy/systemd/minyi-kiosk.service deploy/systemd/minyi-kiosk-update.service
              deploy/systemd/minyi-kiosk-update.timer
        DESTINATION /lib/systemd/system COMPONENT kiosk)
install(FILES deploy/systemd/minyi-kiosk.sysusers.conf DESTINATION lib/sysusers.d RENAME minyi-kiosk.conf COMPONENT kiosk)
install(FILES deploy/pam.d/minyi-kiosk DESTINATION /etc/pam.d COMPONENT kiosk)
install(FILES deploy/udev/90-minyi-kiosk-usb.rules DESTINATION /lib/udev/rules.d COMPONENT kiosk)
install(PROGRAMS deploy/night-update DESTINATION lib/minyi-kiosk COMPONENT kiosk)
install(FILES deploy/kiosk.example.toml docs/kiosk.md docs/kiosk-storage.md docs/text-input.md docs/install.md
        DESTINATION share/doc/minyi-kiosk COMPONENT kiosk)
install(FILES fonts/OFL.txt DESTINATION share/doc/minyi-kiosk RENAME font-license.txt COMPONENT kiosk)

# Every package carries the copyright file and a changelog (Debian policy 12.5, 12.7).
set(MINYI_PACKAGE_VERSION "${PROJECT_VERSION}-1")
set(changelog_gz "${CMAKE_BINARY_DIR}/deploy/changelog.Debian.gz")
add_custom_command(OUTPUT "${changelog_gz}"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${CMAKE_BINARY_DIR}/deploy"
  COMMAND sh -c "gzip -9n < '${MINYI_DEBIAN}/changelog' > '${changelog_gz}'"
  DEPENDS "${MINYI_DEBIAN}/changelog" VERBATIM)
add_custom_target(minyi_changelog ALL DEPENDS "${changelog_gz}")
# The changelog's newest entry must be the version packaged (lintian checks it; so does the packages test).
file(STRINGS "${MINYI_DEBIAN}/changelog" changelog_head LIMIT_COUNT 1)
if(NOT changelog_head MATCHES "\\(${MINYI_PACKAGE_VERSION}\\)")
  message(FATAL_ERROR "deploy/debian/changelog starts with '${changelog_head}', not version ${MINYI_PACKAGE_VERSION}: add its entry")
endif()
foreach(pkg minyi minyi-server minyi-kiosk)
  if(pkg STREQUAL "minyi")
    set(component cli)
  elseif(pkg STREQUAL "minyi-server")
    set(component server)
  else()
    set(component kiosk)
  endif()
  install(FILES ${MINYI_DEBIAN}/copyright "${changelog_gz}" DESTINATION share/doc/${pkg} COMPONENT ${component})
endforeach()

# --- CPack ---------------------------------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME minyi)
set(CPACK_PACKAGE_VENDOR "Minyi")
set(CPACK_PACKAGE_CONTACT "Minyi developers <minyi-dev@lists.minyi.org.cn>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/packages")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL cli server kiosk)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://minyi.org.cn")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_CLI_PACKAGE_NAME minyi)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION admin)
set(CPACK_COMPONENT_CLI_DESCRIPTION "township feedback: command line for staff and IT
Minyi collects residents' opinions, ratings and complaints at touch-screen
kiosks in community centres and brings them to the township server.

This package has the minyi command: check and upload forms, add kiosks and
print their enrollment codes, publish notices, import kiosk USB exports,
export results, manage staff accounts and the township's communities and
sites, hash a kiosk's admin PIN.")

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME minyi-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "minyi (= ${MINYI_PACKAGE_VERSION}), systemd")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "nginx")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
  "${MINYI_DEBIAN}/minyi-server/conffiles;${MINYI_DEBIAN}/minyi-server/postinst;${MINYI_DEBIAN}/minyi-server/prerm;${MINYI_DEBIAN}/minyi-server/postrm")
set(CPACK_COMPONENT_SERVER_DESCRIPTION "township feedback: the township server
Minyi collects residents' opinions, ratings and complaints at touch-screen
kiosks in community centres and brings them to the township server.

This package has minyi-server: the kiosks' API, the staff dashboard
(results, exports, complaint tickets with their deadlines, kiosks and their
health) and the residents' ticket pages, with its embedded SQLite database.
It runs as a sandboxed systemd service under its own user; an nginx site
with TLS is provided.")

set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME minyi-kiosk)
set(CPACK_DEBIAN_KIOSK_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS
  "cage, xwayland, systemd, libpam-systemd, dbus, rime-data-pinyin-simp, tegaki-zinnia-simplified-chinese")
# xwayland: Debian's cage is built with it and ends at start without it ("Cannot create XWayland server"), yet
# neither depends on nor recommends it.
set(CPACK_DEBIAN_KIOSK_PACKAGE_RECOMMENDS "minyi")  # any version: pin-hash for its configuration
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA
  "${MINYI_DEBIAN}/minyi-kiosk/conffiles;${MINYI_DEBIAN}/minyi-kiosk/postinst;${MINYI_DEBIAN}/minyi-kiosk/prerm;${MINYI_DEBIAN}/minyi-kiosk/postrm")
set(CPACK_COMPONENT_KIOSK_DESCRIPTION "township feedback: the touch-screen kiosk
Minyi collects residents' opinions, ratings and complaints at touch-screen
kiosks in community centres and brings them to the township server.

This package has minyi-kiosk, started full screen in cage on tty1 at boot
under its own user: opinion forms, satisfaction ratings and complaints with
a ticket code and QR receipt, in simplified and traditional Chinese and
English, with large text for elders, pinyin and handwriting input, and a
sync module that sends everything to the township server. Updates from the
township's apt repository are applied at night, between residents.")

include(CPack)
