# Distribution packages with CPack: one per install component.
#   deb: libpolyws0, libpolyws-dev, polyws-tools, lua-polyws, libpolyws-java
#   rpm: polyws, polyws-devel, polyws-tools, lua-polyws, polyws-java
# Built by packaging/make-packages.sh (prefix /usr).

# Debian wants a copyright file and a compressed changelog in each package.
set(_doc_components lib dev tools)
if(POLYWS_BUILD_LUA)
  list(APPEND _doc_components lua)
endif()
if(POLYWS_BUILD_JAVA)
  list(APPEND _doc_components java)
endif()
set(_deb_names_lib libpolyws0)
set(_deb_names_dev libpolyws-dev)
set(_deb_names_tools polyws-tools)
set(_deb_names_lua lua-polyws)
set(_deb_names_java libpolyws-java)
set(_changelog_gz ${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz)
set(_man_pages polyws.1 polyws-echo.1)
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/packaging)
add_custom_command(OUTPUT ${_changelog_gz}
  COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/packaging/changelog > ${_changelog_gz}
  DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog VERBATIM)
set(_man_gz "")
foreach(_page ${_man_pages})
  add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/packaging/${_page}.gz
    COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/packaging/man/${_page} > ${PROJECT_BINARY_DIR}/packaging/${_page}.gz
    DEPENDS ${PROJECT_SOURCE_DIR}/packaging/man/${_page} VERBATIM)
  list(APPEND _man_gz ${PROJECT_BINARY_DIR}/packaging/${_page}.gz)
endforeach()
add_custom_target(polyws_changelog ALL DEPENDS ${_changelog_gz} ${_man_gz})
install(FILES ${_man_gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT tools)
# The Debian symbols file (the ABI list with the version each symbol came
# in); CPack takes control files by their own names.
configure_file(${PROJECT_SOURCE_DIR}/packaging/libpolyws0.symbols
               ${PROJECT_BINARY_DIR}/packaging/symbols COPYONLY)
foreach(_c ${_doc_components})
  set(_doc ${CMAKE_INSTALL_DATAROOTDIR}/doc/${_deb_names_${_c}})
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright DESTINATION ${_doc} COMPONENT ${_c})
  install(FILES ${_changelog_gz} DESTINATION ${_doc} COMPONENT ${_c})
endforeach()

set(CPACK_PACKAGE_NAME polyws)
set(CPACK_PACKAGE_VENDOR "polyws")
set(CPACK_PACKAGE_CONTACT "polyws maintainers <maintainers@polyws.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "browser WebSocket API for native code")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_HOMEPAGE_URL "https://polyws.org/")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_COMPONENTS_ALL ${_doc_components})
set(CPACK_OUTPUT_FILE_PREFIX ${PROJECT_BINARY_DIR}/dist)

# A cross build packs for its target, under each format's name for it
# (dpkg-shlibdeps then needs DEB_HOST_ARCH=arm64: scripts/make-packages.sh).
if(CMAKE_CROSSCOMPILING AND CMAKE_SYSTEM_PROCESSOR STREQUAL "aarch64")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  set(CPACK_RPM_PACKAGE_ARCHITECTURE aarch64)
endif()

# deb
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The tools and the Lua module need libpolyws.so.0 from its sibling package:
# let dpkg-shlibdeps see the built one (the Depends on libpolyws0 is explicit).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR})
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY "=")
set(CPACK_DEBIAN_LIB_PACKAGE_NAME libpolyws0)
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/triggers ${PROJECT_BINARY_DIR}/packaging/symbols)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libpolyws-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libpolyws0 (= ${PROJECT_VERSION}-1)")
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME polyws-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION net)
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "libpolyws0 (= ${PROJECT_VERSION}-1)")
set(CPACK_DEBIAN_LUA_PACKAGE_NAME lua-polyws)
set(CPACK_DEBIAN_LUA_PACKAGE_SECTION interpreters)
set(CPACK_DEBIAN_LUA_PACKAGE_DEPENDS "libpolyws0 (= ${PROJECT_VERSION}-1)")
set(CPACK_DEBIAN_JAVA_PACKAGE_NAME libpolyws-java)
set(CPACK_DEBIAN_JAVA_PACKAGE_SECTION java)
# Debian's Java policy: libraries do not depend on a runtime.
set(CPACK_DEBIAN_JAVA_PACKAGE_DEPENDS "libpolyws0 (= ${PROJECT_VERSION}-1)")
set(CPACK_COMPONENT_LIB_DESCRIPTION "browser WebSocket API for native code (library)
 A C++17 WebSocket client behind a stable C ABI, with the semantics of the
 WHATWG WebSocket interface: readyState, open/message/error/close events,
 bufferedAmount, close codes. This package holds the shared library.")
set(CPACK_COMPONENT_DEV_DESCRIPTION "browser WebSocket API for native code (development files)
 The header, the .so link, pkg-config and CMake package files for building
 programs against libpolyws.")
set(CPACK_COMPONENT_TOOLS_DESCRIPTION "WebSocket command-line client and echo server (polyws)
 polyws, a wscat-like client with JSON event output, and polyws-echo, a
 small WebSocket echo server.")
set(CPACK_COMPONENT_LUA_DESCRIPTION "browser WebSocket API for Lua (polyws)
 The polyws module for Lua 5.4 and Lua 5.1, with browser-style fields,
 handlers and event dispatch on the Lua thread.")

set(CPACK_COMPONENT_JAVA_DESCRIPTION "browser WebSocket API for Java (polyws)
 io.polyws.WebSocket for Java 11 and later: browser-style readyState,
 listeners and handlers run off the I/O thread, builder options, futures.
 The jar, and its JNI library on the JVM's library path.")

# rpm
set(CPACK_RPM_COMPONENT_INSTALL ON)
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "MIT")
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_LIB_PACKAGE_NAME polyws)
set(CPACK_RPM_DEV_PACKAGE_NAME polyws-devel)
set(CPACK_RPM_DEV_PACKAGE_REQUIRES "polyws = ${PROJECT_VERSION}")
set(CPACK_RPM_TOOLS_PACKAGE_NAME polyws-tools)
set(CPACK_RPM_TOOLS_PACKAGE_REQUIRES "polyws = ${PROJECT_VERSION}")
set(CPACK_RPM_LUA_PACKAGE_NAME lua-polyws)
set(CPACK_RPM_LUA_PACKAGE_REQUIRES "polyws = ${PROJECT_VERSION}")
set(CPACK_RPM_JAVA_PACKAGE_NAME polyws-java)
set(CPACK_RPM_JAVA_PACKAGE_REQUIRES "polyws = ${PROJECT_VERSION}")

# libpolyws0 relies on its ldconfig trigger, not on CPack's ldconfig scripts.
set(CPACK_POST_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/packaging/deb_drop_ldconfig_scripts.cmake)
include(CPack)
