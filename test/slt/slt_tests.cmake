# sqllogictest gates: each group must keep at least the pass rate reached so far.
# Skipped (exit 77) when ../shared/suites is absent.
set(_run ${CMAKE_SOURCE_DIR}/test/slt/run_suite.sh)
function(db001_slt_gate name rate)
  add_test(NAME ${name} COMMAND ${_run} $<TARGET_FILE:db001-slt> ${rate} ${ARGN})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 1300)
endfunction()
db001_slt_gate(slt_select1 100 select1.test)
db001_slt_gate(slt_select2 100 select2.test)
db001_slt_gate(slt_select3 100 select3.test)
db001_slt_gate(slt_select4 100 select4.test)
db001_slt_gate(slt_select5 100 select5.test)
db001_slt_gate(slt_evidence 99 evidence)
# Our own SQL behaviour files (DuckDB style), always present.
add_test(NAME slt_own COMMAND db001-slt --min-pass-rate 100 ${CMAKE_SOURCE_DIR}/test/sql)
# select1-5 through a real server (db001-slt --connect, libpq): the same counts as in process.
add_test(NAME slt_wire COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/test/slt/slt_wire.py $<TARGET_FILE_DIR:db001-slt>)
set_tests_properties(slt_wire PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
