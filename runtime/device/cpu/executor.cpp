// CpuExecutor: binds the plan once, then runs every kernel of a step in one parallel region.
#include "runtime/device/cpu/executor.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "runtime/artifact/weight_size.h"
#include "runtime/device/cpu/bound_kernel.h"
#include "runtime/device/cpu/plan_binding.h"
#include "runtime/device/cpu/thread_pool.h"

namespace ingot::cpu {

struct CpuExecutor::Impl {
  BoundPlan plan;
  int64_t max_context = 0;
  MatmulPath path = MatmulPath::kScalar;
  std::unique_ptr<float[]> arena;
  std::vector<float> shared_scratch;
  std::vector<std::vector<float>> thread_scratch;
  MatmulInput matmul_input;
  std::unique_ptr<PagedKvCache> cache;
  std::unique_ptr<ThreadPool> pool;
};

CpuExecutor::CpuExecutor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CpuExecutor::~CpuExecutor() = default;

namespace {

Result<KvDType> kv_dtype(const std::string& name, const std::string& file) {
  if (name == "float32" || name.empty()) return KvDType::kF32;
  if (name == "float16" || name == "f16") return KvDType::kF16;
  if (name == "bfloat16" || name == "bf16") return KvDType::kBF16;
  return make_error(StatusCode::kUnimplemented, file + ": cache_dtype " + name +
                                                    " is not supported on the CPU (float32, "
                                                    "float16, bfloat16)");
}

}  // namespace

Result<std::unique_ptr<CpuExecutor>> CpuExecutor::create(const artifact::Artifact& artifact,
                                                         const ExecutorOptions& options) {
  auto impl = std::make_unique<Impl>();
  const schema::Model& model = artifact.model();
  INGOT_ASSIGN_OR_RETURN(impl->plan, bind_plan(artifact));
  BoundPlan& plan = impl->plan;
  const Status packed = pack_matmul_weights(artifact, plan);
  if (!packed.ok()) return make_error(packed.code(), artifact.path() + ": " + packed.message());

  const auto* config = model.config();
  const int64_t artifact_length = config && config->max_length() > 0 ? config->max_length() : 0;
  impl->max_context = options.max_context > 0 ? options.max_context : artifact_length;
  if (impl->max_context <= 0)
    return make_error(StatusCode::kInvalidArgument,
                      artifact.path() + ": no context length (pass max_context)");
  if (artifact_length > 0 && impl->max_context > artifact_length)
    return make_error(StatusCode::kInvalidArgument,
                      artifact.path() + ": context " + std::to_string(impl->max_context) +
                          " is longer than the artifact's max_length " +
                          std::to_string(artifact_length));

  impl->arena.reset(new (std::nothrow) float[plan.arena_floats]);
  if (!impl->arena)
    return make_error(StatusCode::kResourceExhausted,
                      artifact.path() + ": cannot allocate the arena");
  plan.resolve_arena(impl->arena.get());

  std::string dtype_name = options.cache_dtype;
  if (dtype_name.empty() && config && config->cache_dtype())
    dtype_name = config->cache_dtype()->str();
  INGOT_ASSIGN_OR_RETURN(KvDType dtype, kv_dtype(dtype_name, artifact.path()));
  if (plan.cache_layers > 0) {
    KvCacheShape shape;
    shape.layers = plan.cache_layers;
    shape.row_elements = plan.cache_row_elements;
    shape.dtype = dtype;
    shape.page_size =
        config && config->kv_cache_page_size() > 0 ? config->kv_cache_page_size() : 128;
    const int64_t pages_per_sequence = (impl->max_context + shape.page_size - 1) / shape.page_size;
    shape.pages = pages_per_sequence * std::max<int64_t>(1, options.max_sequences);
    auto cache = PagedKvCache::create(shape);
    if (!cache.ok())
      return make_error(cache.status().code(), artifact.path() + ": " + cache.status().message());
    impl->cache = std::move(*cache);
  }

  const int threads = options.threads > 0 ? options.threads : physical_cores();
  impl->pool = std::make_unique<ThreadPool>(threads);
  impl->thread_scratch.resize(static_cast<size_t>(threads));
  impl->shared_scratch.resize(static_cast<size_t>(plan.max_tokens * plan.widest_activation));
  impl->path = best_matmul_path();
  return std::unique_ptr<CpuExecutor>(new CpuExecutor(std::move(impl)));
}

Status CpuExecutor::step(const StepRequest& request) {
  Impl& impl = *impl_;
  const BoundPlan& plan = impl.plan;
  const int64_t tokens = static_cast<int64_t>(request.tokens.size());
  if (tokens == 0 || tokens > plan.max_tokens)
    return make_error(StatusCode::kInvalidArgument, "step: " + std::to_string(tokens) +
                                                        " tokens, the plan takes 1 to " +
                                                        std::to_string(plan.max_tokens));
  if (request.sequence == nullptr)
    return make_error(StatusCode::kInvalidArgument, "step: no sequence");
  for (int32_t id : request.tokens) {
    if (id < 0 || id >= plan.vocab_size)
      return make_error(StatusCode::kInvalidArgument, "step: token id " + std::to_string(id) +
                                                          " is outside the vocabulary of " +
                                                          std::to_string(plan.vocab_size));
  }
  for (size_t i = 0; i < request.output_rows.size(); ++i) {
    const int32_t row = request.output_rows[i];
    if (row < 0 || row >= tokens || (i > 0 && row <= request.output_rows[i - 1]))
      return make_error(StatusCode::kInvalidArgument,
                        "step: output rows must ascend within the step");
  }
  if (request.output_rows.size() > static_cast<size_t>(plan.max_tokens) ||
      (!request.output_rows.empty() && request.logits == nullptr))
    return make_error(StatusCode::kInvalidArgument, "step: logits requested without a buffer");
  KvSequence& sequence = *request.sequence;
  const int64_t end = sequence.length + tokens;
  if (end > impl.max_context)
    return make_error(StatusCode::kResourceExhausted, "step: " + std::to_string(end) +
                                                          " positions exceed the context of " +
                                                          std::to_string(impl.max_context));
  if (impl.cache) INGOT_RETURN_IF_ERROR(impl.cache->reserve(sequence, end));

  SpinBarrier barrier(impl.pool->size());
  detail::StepState state;
  state.threads = impl.pool->size();
  state.barrier = &barrier;
  state.tokens = tokens;
  state.ids = request.tokens.data();
  state.first_position = sequence.length;
  state.sequence = &sequence;
  state.cache = impl.cache.get();
  state.output_rows = request.output_rows;
  state.logits = request.logits;
  state.path = impl.path;
  state.matmul_input = &impl.matmul_input;
  state.shared_scratch = impl.shared_scratch.data();
  state.thread_scratch = &impl.thread_scratch;
  impl.pool->run([&](int thread) {
    for (const detail::BoundKernel& kernel : plan.kernels) {
      if (kernel.run == nullptr) continue;
      kernel.run(state, kernel, thread);
      barrier.wait();
    }
  });
  if (!state.error.ok()) return state.error;
  sequence.length = end;
  return Status::ok_status();
}

int64_t CpuExecutor::vocab_size() const { return impl_->plan.vocab_size; }
int64_t CpuExecutor::max_tokens() const { return impl_->plan.max_tokens; }
int64_t CpuExecutor::max_context() const { return impl_->max_context; }
int CpuExecutor::threads() const { return impl_->pool->size(); }
PagedKvCache& CpuExecutor::cache() { return *impl_->cache; }

std::string CpuExecutor::describe() const {
  std::string text = std::to_string(threads()) + " threads, matmul " +
                     matmul_path_name(impl_->path) + ", " +
                     std::to_string(impl_->plan.kernels.size()) + " kernels";
  if (impl_->cache) {
    const KvCacheShape& shape = impl_->cache->shape();
    text += ", kv cache " +
            std::string(shape.dtype == KvDType::kF32   ? "float32"
                        : shape.dtype == KvDType::kF16 ? "float16"
                                                       : "bfloat16") +
            " " + std::to_string(impl_->cache->bytes() >> 20) + " MiB in " +
            std::to_string(shape.pages) + " pages of " + std::to_string(shape.page_size);
  }
  return text;
}

}  // namespace ingot::cpu
