# Cross-compiling for 64-bit Windows with Debian's mingw-w64 toolchain
# (g++-mingw-w64-x86-64-posix: the posix-threads variant, which std::thread
# needs). Used by packaging/windows/build.sh for polyws and libwebsockets.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(POLYWS_MINGW_PREFIX x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${POLYWS_MINGW_PREFIX}-gcc-posix)
set(CMAKE_CXX_COMPILER ${POLYWS_MINGW_PREFIX}-g++-posix)
set(CMAKE_RC_COMPILER ${POLYWS_MINGW_PREFIX}-windres)
set(CMAKE_AR ${POLYWS_MINGW_PREFIX}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${POLYWS_MINGW_PREFIX}-ranlib CACHE FILEPATH "")

# Headers and libraries come from the mingw sysroot and from the
# cross-built dependencies (added to CMAKE_FIND_ROOT_PATH by the caller);
# programs (cmake's own helpers, python) from the build machine.
list(APPEND CMAKE_FIND_ROOT_PATH /usr/${POLYWS_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Tests run the cross-built programs under Wine.
set(CMAKE_CROSSCOMPILING_EMULATOR wine64)
