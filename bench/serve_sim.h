// ingot-bench serve-sim: the serving pipeline under a replayed request stream.
#pragma once

#include <string>

namespace ingot::bench {

/// Runs `ingot-bench serve-sim ARGS` (argv[0] is "serve-sim"); returns the exit code.
int serve_sim_main(int argc, char** argv);

/// The decode roofline's bandwidth in bytes/s: the GPU's measured device-to-device copy (read
/// plus written) for "cuda", else `threads` threads' measured host read bandwidth. Exits with a
/// one-line error when it cannot be measured.
double roofline_bandwidth(const std::string& device, int threads);

}  // namespace ingot::bench
