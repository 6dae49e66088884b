// Embedding ingot: open an artifact, serve a few requests at once through the pipeline, and
// print each one's text. Built with the project (target embed-pipeline-example) so it stays
// true to the API:  embed-pipeline-example MODEL.ingot
#include <cstdio>
#include <map>
#include <string>

#include "runtime/generate/engine.h"
#include "runtime/pipeline/scheduler.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s MODEL.ingot\n", argv[0]);
    return 2;
  }
  using namespace ingot;
  device::ExecutorOptions options;  // device "cpu"; "cuda" where built with nvcc
  options.max_context = 1024;
  options.max_sequences = 4;        // KV cache room for 4 full contexts
  auto engine = generate::Engine::open(argv[1], options);
  if (!engine.ok() || !(*engine)->has_tokenizer()) {
    std::fprintf(stderr, "%s\n", engine.ok() ? "the example needs an artifact with a tokenizer"
                                              : engine.status().message().c_str());
    return 2;
  }
  pipeline::PipelineConfig config;  // MAX's names and defaults
  config.max_batch_size = 4;
  config.enable_in_flight_batching = true;
  config.enable_prefix_caching = true;
  auto pipe = pipeline::TextGenerationPipeline::create(**engine, config);
  if (!pipe.ok()) {
    std::fprintf(stderr, "%s\n", pipe.status().message().c_str());
    return 2;
  }
  pipeline::Scheduler scheduler(**pipe);
  const char* prompts[] = {"The capital of France is", "Once upon a time",
                           "The three primary colors are"};
  for (int i = 0; i < 3; ++i) {
    pipeline::TextRequest request;
    request.request_id = std::to_string(i);
    request.prompt = (*engine)->tokenizer().encode(prompts[i], true, false);
    request.sampling = (*engine)->default_sampling();
    request.sampling.max_new_tokens = 24;
    if (const Status s = scheduler.submit(request); !s.ok())
      std::fprintf(stderr, "refused: %s\n", s.message().c_str());
  }
  std::map<std::string, std::string> text;
  while (!scheduler.idle()) {
    auto responses = scheduler.run_once();
    if (!responses.ok()) {
      std::fprintf(stderr, "%s\n", responses.status().message().c_str());
      return 1;
    }
    for (auto& [id, response] : *responses) text[id] += response.text;
  }
  for (auto& [id, t] : text) std::printf("[%s] %s\n", id.c_str(), t.c_str());
  return 0;
}
