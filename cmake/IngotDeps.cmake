# Third-party dependencies, found once for the whole tree as imported targets:
#   PkgConfig::PCRE2, PkgConfig::XXHASH, cxxopts::cxxopts, nlohmann_json::nlohmann_json,
#   flatbuffers::flatbuffers (and flatc, or INGOT_SCHEMA_HEADER), GTest::gtest_main.
# From Debian's packages, or with INGOT_DEPS_BUNDLE from the headers and static libraries that
# scripts/bundle-gpu.sh gathers for a machine with no package registry (a GPU machine).
set(INGOT_DEPS_BUNDLE "" CACHE PATH
    "A folder made by scripts/bundle-gpu.sh to take the dependencies from (default: the system)")
set(INGOT_SCHEMA_HEADER "")  # set: the bundle's pre-generated artifact_generated.h (no flatc)

if(NOT INGOT_DEPS_BUNDLE)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET GLOBAL libpcre2-32)
  pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET GLOBAL libxxhash)
  find_package(cxxopts REQUIRED CONFIG)
  find_package(nlohmann_json REQUIRED CONFIG)
  find_package(FlatBuffers REQUIRED CONFIG)
  if(INGOT_BUILD_TESTS)
    find_package(GTest REQUIRED)
  endif()
  return()
endif()

get_filename_component(bundle "${INGOT_DEPS_BUNDLE}" ABSOLUTE BASE_DIR "${PROJECT_SOURCE_DIR}")
if(NOT EXISTS "${bundle}/include/flatbuffers/flatbuffers.h")
  message(FATAL_ERROR "INGOT_DEPS_BUNDLE=${bundle} is not a bundle: run scripts/bundle-gpu.sh")
endif()
# The bundle's schema header must come from this tree's schema.
file(READ "${PROJECT_SOURCE_DIR}/runtime/schema/artifact.fbs" schema_here)
file(READ "${bundle}/schema/artifact.fbs" schema_there)
if(NOT schema_here STREQUAL schema_there)
  message(FATAL_ERROR "${bundle} was made from another artifact.fbs: rerun scripts/bundle-gpu.sh")
endif()
set(INGOT_SCHEMA_HEADER "${bundle}/schema/artifact_generated.h")

function(ingot_bundle_library name library)
  add_library(${name} STATIC IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES IMPORTED_LOCATION "${bundle}/lib/${library}"
                                           INTERFACE_INCLUDE_DIRECTORIES "${bundle}/include")
endfunction()
function(ingot_bundle_headers name)
  add_library(${name} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${bundle}/include")
endfunction()
ingot_bundle_library(PkgConfig::PCRE2 libpcre2-32.a)
ingot_bundle_library(PkgConfig::XXHASH libxxhash.a)
ingot_bundle_headers(cxxopts::cxxopts)
ingot_bundle_headers(nlohmann_json::nlohmann_json)
ingot_bundle_headers(flatbuffers::flatbuffers)  # reading and building need only the headers
if(INGOT_BUILD_TESTS)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  add_subdirectory("${bundle}/googletest" "${CMAKE_BINARY_DIR}/googletest" EXCLUDE_FROM_ALL SYSTEM)
  if(NOT TARGET GTest::gtest_main)  # googletest 1.11+ defines the namespaced names itself
    add_library(GTest::gtest ALIAS gtest)
    add_library(GTest::gtest_main ALIAS gtest_main)
  endif()
endif()
message(STATUS "ingot: dependencies from ${bundle}")
