# The conformance cases the emulated builds (Windows under Wine, aarch64
# under QEMU) run: by default a sample, the first cases of each kind (three
# of the handshake and close ones), 22 in all; all of them when `full`.
# Sets `out` to the run.py --case arguments (none for the whole suite).
function(polyws_conformance_cases out full)
  set(_args)
  if(NOT full)
    foreach(_case hs-ok hs-frame-with-101 hs-subprotocol-ok rsv1-text rsv2-text rsv3-text opcode-3
                  masked-server-frame continuation-no-message data-during-fragmented-text
                  ping-payload pong-unsolicited close-payload-126 close-1000 close-1001 text-0
                  binary-0 utf8-invalid-single limit-at-max pings-inside-fragmented
                  garbage-after-close pmd-text)
      list(APPEND _args --case ${_case})
    endforeach()
  endif()
  set(${out} ${_args} PARENT_SCOPE)
endfunction()
