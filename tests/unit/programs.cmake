# The C API test programs (CMocka), one executable per API area, built by
# tests/unit for the native build and by tests/arm64/programs for the
# aarch64 cross build (run under QEMU). Tests that need a peer start
# tools/polyws-echo themselves (or the one POLYWS_ECHO names) on a free
# loopback port.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

set(_unit_dir ${PROJECT_SOURCE_DIR}/tests/unit)
include(${_unit_dir}/areas.cmake)

add_library(polyws_test_support STATIC ${_unit_dir}/test_support.c)
target_compile_definitions(polyws_test_support PUBLIC
  POLYWS_ECHO_PATH="$<TARGET_FILE:polyws_echo>")
target_compile_options(polyws_test_support PUBLIC -Wall -Wextra)
target_link_libraries(polyws_test_support PUBLIC polyws PkgConfig::CMOCKA Threads::Threads
  OpenSSL::Crypto)
add_dependencies(polyws_test_support polyws_echo)

foreach(_area ${POLYWS_UNIT_AREAS} dns)
  add_executable(test_${_area} ${_unit_dir}/test_${_area}.c)
  target_link_libraries(test_${_area} PRIVATE polyws_test_support)
endforeach()

# Fault injection: the counting peer (tests/soak/counting_server.py) tells
# which messages arrived; the cases kill, stop and reset it.
target_compile_definitions(test_faults PRIVATE
  POLYWS_COUNTING_SERVER="${PROJECT_SOURCE_DIR}/tests/soak/counting_server.py")
