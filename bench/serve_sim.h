// ingot-bench serve-sim: the serving pipeline under a replayed request stream.
#pragma once

namespace ingot::bench {

/// Runs `ingot-bench serve-sim ARGS` (argv[0] is "serve-sim"); returns the exit code.
int serve_sim_main(int argc, char** argv);

}  // namespace ingot::bench
