# lit configuration for ingot's tool tests (FileCheck over the tools' output).
import os

import lit.formats

config.name = "ingot"
# Run RUN lines with bash, so tests can check exact exit codes with $?.
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".test", ".mlir"]
config.excludes = ["Inputs", "kill_during_compile.test.sh"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ingot_obj_root, "test", "lit")

config.environment["PATH"] = os.pathsep.join(
    [config.ingot_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])]
)
config.substitutions.append(("%real_model", config.real_model))
config.substitutions.append(("%golden", os.path.join(config.ingot_src_root, "test", "golden")))
if os.path.exists(config.real_model):
    config.available_features.add("real-model")
