# Cross-compiling for 64-bit ARM Linux (aarch64) on Debian with the
# crossbuild-essential-arm64 toolchain and the arm64 libraries installed
# beside the native ones (dpkg --add-architecture arm64; multiarch puts them
# in /usr/lib/aarch64-linux-gnu). Used by packaging/linux-arm64/build.sh.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(POLYWS_CROSS_PREFIX aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${POLYWS_CROSS_PREFIX}-gcc)
set(CMAKE_CXX_COMPILER ${POLYWS_CROSS_PREFIX}-g++)
set(CMAKE_AR ${POLYWS_CROSS_PREFIX}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${POLYWS_CROSS_PREFIX}-ranlib CACHE FILEPATH "")
set(CMAKE_STRIP ${POLYWS_CROSS_PREFIX}-strip CACHE FILEPATH "")

# Multiarch: the arm64 libraries live in the build machine's own /usr, so
# the root is /; programs (swig, javac, python) are the build machine's.
set(CMAKE_FIND_ROOT_PATH / /usr/${POLYWS_CROSS_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config reads the arm64 .pc files only (and the arch-independent ones).
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${POLYWS_CROSS_PREFIX}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# The aarch64 programs run under QEMU user mode (qemu-user-static; the
# dynamic loader and libraries come from the arm64 packages in /).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
