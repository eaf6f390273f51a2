# The conformance sample the emulated builds (Windows under Wine, aarch64
# under QEMU) run by default: the first cases of each kind (three of the
# handshake and close ones), 22 in all, as run.py --case arguments.
set(POLYWS_CONFORMANCE_SAMPLE_ARGS)
foreach(_case hs-ok hs-frame-with-101 hs-subprotocol-ok rsv1-text rsv2-text rsv3-text opcode-3
              masked-server-frame continuation-no-message data-during-fragmented-text
              ping-payload pong-unsolicited close-payload-126 close-1000 close-1001 text-0
              binary-0 utf8-invalid-single limit-at-max pings-inside-fragmented
              garbage-after-close pmd-text)
  list(APPEND POLYWS_CONFORMANCE_SAMPLE_ARGS --case ${_case})
endforeach()
