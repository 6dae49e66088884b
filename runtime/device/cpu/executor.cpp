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

Result<std::unique_ptr<CpuExecutor>> CpuExecutor::create(const artifact::Artifact& artifact,
                                                         const ExecutorOptions& options) {
  auto impl = std::make_unique<Impl>();
  INGOT_ASSIGN_OR_RETURN(impl->plan, bind_plan(artifact));
  BoundPlan& plan = impl->plan;
  const Status packed = pack_matmul_weights(artifact, plan);
  if (!packed.ok()) return make_error(packed.code(), artifact.path() + ": " + packed.message());

  INGOT_ASSIGN_OR_RETURN(impl->max_context, device::context_length(artifact, options));

  impl->arena.reset(new (std::nothrow) float[plan.arena_floats]);
  if (!impl->arena)
    return make_error(StatusCode::kResourceExhausted,
                      artifact.path() + ": cannot allocate the arena");
  plan.resolve_arena(impl->arena.get());

  INGOT_ASSIGN_OR_RETURN(KvDType dtype, device::cache_dtype(artifact, options));
  if (plan.cache_layers > 0) {
    const KvCacheShape shape = device::kv_cache_shape(artifact, options, plan.cache_layers,
                                                      plan.cache_row_elements, impl->max_context,
                                                      dtype);
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
  INGOT_RETURN_IF_ERROR(
      device::check_step(request, plan.max_tokens, plan.vocab_size, impl.max_context));
  KvSequence& sequence = *request.sequence;
  const int64_t end = sequence.length + tokens;
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
