# The Windows build (cross-compiled with cmake/mingw-w64-x86_64.cmake, see
# packaging/windows/build.sh): the dependencies Debian does not ship for
# mingw come from POLYWS_WINDOWS_DEPS, where packaging/windows/deps.sh built
# them from Debian's source packages as static libraries. Provides the same
# targets as the Linux build (PkgConfig::LWS, PkgConfig::IDN2, OpenSSL::*,
# ZLIB::ZLIB) so the rest of the build reads alike.
set(POLYWS_WINDOWS_DEPS "" CACHE PATH "Cross-built OpenSSL, libwebsockets and libidn2")
if(NOT IS_DIRECTORY "${POLYWS_WINDOWS_DEPS}/lws")
  message(FATAL_ERROR "POLYWS_WINDOWS_DEPS must name the folder packaging/windows/deps.sh filled")
endif()

# Everything static: libstdc++, libgcc and winpthread too, so polyws.dll and
# the programs import only DLLs that every Windows has.
add_link_options(-static)

# The toolchain file searches only below CMAKE_FIND_ROOT_PATH: add the
# cross-built OpenSSL as one more root (FindOpenSSL then finds it there).
list(APPEND CMAKE_FIND_ROOT_PATH "${POLYWS_WINDOWS_DEPS}/openssl")
set(OPENSSL_USE_STATIC_LIBS TRUE)
set(ZLIB_USE_STATIC_LIBS ON)

# The system libraries the static OpenSSL and lws need.
set(POLYWS_WINDOWS_SYSTEM_LIBS ws2_32 crypt32 iphlpapi userenv advapi32 user32 bcrypt)

add_library(PkgConfig::LWS STATIC IMPORTED)
set_target_properties(PkgConfig::LWS PROPERTIES
  IMPORTED_LOCATION "${POLYWS_WINDOWS_DEPS}/lws/lib/libwebsockets_static.a"
  INTERFACE_INCLUDE_DIRECTORIES "${POLYWS_WINDOWS_DEPS}/lws/include"
  INTERFACE_LINK_LIBRARIES "OpenSSL::SSL;OpenSSL::Crypto;ZLIB::ZLIB;${POLYWS_WINDOWS_SYSTEM_LIBS}")

add_library(PkgConfig::IDN2 STATIC IMPORTED)
set_target_properties(PkgConfig::IDN2 PROPERTIES
  IMPORTED_LOCATION "${POLYWS_WINDOWS_DEPS}/idn2/lib/libidn2.a"
  INTERFACE_INCLUDE_DIRECTORIES "${POLYWS_WINDOWS_DEPS}/idn2/include"
  # idn2.h declares its functions dllimport unless told it is linked statically.
  INTERFACE_COMPILE_DEFINITIONS "IDN2_STATIC")
