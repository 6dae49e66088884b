# MLIR for the compiler side only: find it, and give the directories that include
# this file LLVM's definitions and include paths. The runtime never includes it.
find_package(MLIR REQUIRED CONFIG HINTS /usr/lib/llvm-19/lib/cmake/mlir)
list(APPEND CMAKE_MODULE_PATH "${MLIR_CMAKE_DIR}" "${LLVM_CMAKE_DIR}")
include(TableGen)
include(AddLLVM)
include(AddMLIR)
set(INGOT_MLIR_INCLUDE_DIRS ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
separate_arguments(INGOT_LLVM_DEFINITIONS NATIVE_COMMAND "${LLVM_DEFINITIONS}")

# Makes `target` an MLIR user: LLVM/MLIR headers (as system headers), LLVM's
# definitions, and the shared libMLIR and libLLVM (one copy of each per process).
function(ingot_use_mlir target)
  target_include_directories(${target} SYSTEM PUBLIC ${INGOT_MLIR_INCLUDE_DIRS})
  target_include_directories(${target} PUBLIC ${PROJECT_BINARY_DIR})
  target_compile_definitions(${target} PUBLIC ${INGOT_LLVM_DEFINITIONS})
  target_link_libraries(${target} PUBLIC MLIR LLVM)
  # ODS-generated adaptors, included by every user, leave parameters unused.
  target_compile_options(${target} PUBLIC -Wno-unused-parameter)
endfunction()
