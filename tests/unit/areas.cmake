# The API areas of the C API test programs: test_<area>.c each, run as
# unit_<area> natively (tests/unit) and arm64_unit_<area> under QEMU
# (tests/arm64). test_dns runs inside namespaces of its own and is not here.
set(POLYWS_UNIT_AREAS constructor send close events loop results tls resilience faults host_driven)
