# CPack post-build step (CPACK_POST_BUILD_SCRIPTS): takes the postinst and
# postrm out of libpolyws0's deb. CPack writes them, each calling ldconfig,
# for any library under /usr/lib, and cannot be told not to; Debian policy
# (and lintian: maintscript-calls-ldconfig) wants the ldconfig trigger
# instead, which the package already declares (packaging/triggers). Empty
# replacements are no better (lintian: maintainer-script-empty), so the
# package is rebuilt without them.
foreach(deb IN LISTS CPACK_PACKAGE_FILES)
  get_filename_component(name "${deb}" NAME)
  if(NOT name MATCHES "^libpolyws0_.*\\.deb$")
    continue()
  endif()
  set(tree "${CPACK_TOPLEVEL_DIRECTORY}/ldconfig-scripts-dropped")
  file(REMOVE_RECURSE "${tree}")
  execute_process(COMMAND dpkg-deb -R "${deb}" "${tree}" RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "dpkg-deb -R ${deb} failed")
  endif()
  file(REMOVE "${tree}/DEBIAN/postinst" "${tree}/DEBIAN/postrm")
  execute_process(COMMAND dpkg-deb --root-owner-group -Zxz -b "${tree}" "${deb}"
                  OUTPUT_QUIET RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "dpkg-deb -b ${deb} failed")
  endif()
  file(REMOVE_RECURSE "${tree}")
endforeach()
