# SPDX-License-Identifier: MIT
# Install rules and the Debian package (CPack):
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build && (cd build && cpack -G DEB)
# gives build/ddnsd_<version>_<arch>.deb: /usr/bin/ddnsd, the systemd units,
# /etc/ddnsd/ddnsd.env (a conffile), README, alert rules and dashboard.
# Runtime dependencies come from dpkg-shlibdeps.

set(DDNS_VERSION "0.1.0" CACHE STRING "version of the ddnsd package")

install(TARGETS ddnsd RUNTIME DESTINATION bin)
# Absolute: the package's paths, whatever the prefix.
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/ddnsd.service
	${CMAKE_SOURCE_DIR}/deploy/systemd/ddnsd-migrate.service
	DESTINATION /lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/ddnsd.env
	DESTINATION /etc/ddnsd PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${CMAKE_SOURCE_DIR}/README.md
	${CMAKE_SOURCE_DIR}/deploy/debian/copyright
	DESTINATION share/doc/ddnsd)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/prometheus/alerts.yaml
	${CMAKE_SOURCE_DIR}/deploy/prometheus/alerts_test.yaml
	${CMAKE_SOURCE_DIR}/deploy/grafana/ddnsd.json
	DESTINATION share/doc/ddnsd/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ddnsd)
set(CPACK_PACKAGE_VERSION ${DDNS_VERSION})
set(CPACK_PACKAGE_CONTACT "ddnsd maintainers <ddnsd@example.net>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"multi-tenant Dynamic DNS provider (dyndns2, REST, RFC 2136 + TSIG)")
set(CPACK_PACKAGE_DESCRIPTION
	"ddnsd accepts dyndns2 /nic/update requests from routers and update
clients and a JSON REST API from account owners, stores hosts in
PostgreSQL and pushes changes to BIND 9 or Knot DNS with TSIG-signed
RFC 2136 UPDATE messages. Configure /etc/ddnsd/ddnsd.env, then
systemctl enable --now ddnsd.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# useradd (postinst) is in passwd.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, bind9 | knot")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://ddnsd.example/")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
	${CMAKE_SOURCE_DIR}/deploy/debian/conffiles
	${CMAKE_SOURCE_DIR}/deploy/debian/postinst
	${CMAKE_SOURCE_DIR}/deploy/debian/prerm
	${CMAKE_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
