# libwebsockets for a Linux cross build. With libwebsockets-dev for the
# target architecture installed, pkg-config finds it as usual. Debian 12
# cannot install libwebsockets-dev:arm64 beside libwebsockets-dev (amd64):
# both ship /usr/include/lws_config.h, which differs in one line
# (LWS_INSTALL_LIBDIR, a path nothing here uses). So the cross build also
# takes the target's runtime package (libwebsockets17:arm64, which is
# co-installable) and the native package's headers, which are the same
# 4.1.6 headers.
pkg_check_modules(LWS QUIET IMPORTED_TARGET libwebsockets)
if(LWS_FOUND)
  return()
endif()
find_library(POLYWS_CROSS_LWS_LIBRARY NAMES libwebsockets.so.17)
find_path(POLYWS_CROSS_LWS_INCLUDE_DIR libwebsockets.h)
if(NOT POLYWS_CROSS_LWS_LIBRARY OR NOT POLYWS_CROSS_LWS_INCLUDE_DIR)
  message(FATAL_ERROR "libwebsockets for ${CMAKE_LIBRARY_ARCHITECTURE}: need libwebsockets17 of that "
          "architecture and the libwebsockets-dev headers (scripts/install-deps.sh installs both); "
          "library: ${POLYWS_CROSS_LWS_LIBRARY}, headers: ${POLYWS_CROSS_LWS_INCLUDE_DIR}")
endif()
message(STATUS "libwebsockets: ${POLYWS_CROSS_LWS_LIBRARY} with the headers in ${POLYWS_CROSS_LWS_INCLUDE_DIR}")
add_library(PkgConfig::LWS SHARED IMPORTED)
set_target_properties(PkgConfig::LWS PROPERTIES
  IMPORTED_LOCATION "${POLYWS_CROSS_LWS_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${POLYWS_CROSS_LWS_INCLUDE_DIR}")
