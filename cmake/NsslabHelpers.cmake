# Helper functions: one per kind of target, so every target gets the same language
# level, warnings and layout.

set(NSSLAB_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
    -Wimplicit-fallthrough)

# nsslab_add_library(NAME <layer> SOURCES ... DEPS ... [PRIVATE_DEPS ...])
# Creates nsslab_<layer> with alias nsslab::<layer>; headers live in include/nsslab/<layer>/.
function(nsslab_add_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target nsslab_${ARG_NAME})
  if(ARG_SOURCES)
    add_library(${target} STATIC ${ARG_SOURCES})
    target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    target_compile_options(${target} PRIVATE ${NSSLAB_WARNINGS})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
  add_library(nsslab::${ARG_NAME} ALIAS ${target})
endfunction()

# nsslab_add_test(NAME <name> SOURCES ... DEPS ... [LABELS ...] [TIMEOUT s])
# One GoogleTest executable registered with ctest (tests discovered per TEST()).
function(nsslab_add_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_options(${ARG_NAME} PRIVATE ${NSSLAB_WARNINGS} -Wno-sign-conversion -Wno-conversion)
  target_compile_definitions(${ARG_NAME} PRIVATE NSSLAB_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                                 NSSLAB_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60
                       PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
endfunction()

# nsslab_add_bench(NAME <name> SOURCES ... DEPS ...)
function(nsslab_add_bench)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  target_compile_options(${ARG_NAME} PRIVATE ${NSSLAB_WARNINGS})
endfunction()
