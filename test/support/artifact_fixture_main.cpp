// artifact-fixture KIND FILE: writes a small valid .ingot artifact built by
// test/support/artifact_builder (KIND: sample, encodings, no-weights, dummy), for the
// fuzz seed corpus and by-hand checks.
#include <cstdio>
#include <string>

#include "test/support/artifact_builder.h"

int main(int argc, char** argv) {
  using namespace ingot::testing;
  if (argc != 3) {
    std::fprintf(stderr, "usage: artifact-fixture sample|encodings|no-weights|dummy FILE\n");
    return 2;
  }
  const std::string kind = argv[1];
  ArtifactSpec spec;
  if (kind == "sample") {
    spec = default_artifact_spec();
  } else if (kind == "encodings") {
    spec = all_encodings_artifact_spec();
  } else if (kind == "no-weights") {
    spec = no_weights_artifact_spec();
  } else if (kind == "dummy") {  // every encoding, as dummy weights
    spec = dummy_artifact_spec();
  } else {
    std::fprintf(stderr, "artifact-fixture: unknown kind '%s'\n", kind.c_str());
    return 2;
  }
  if (!write_file(argv[2], build_artifact(spec).bytes)) {
    std::fprintf(stderr, "artifact-fixture: cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}
