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
#include "runtime/io/host_memory.h"

namespace ingot::cpu {
namespace {

// Which positions each token attends over, at most `window` of them (0: all), and the costs
// that share the work among threads; with `split`, each token's first chunk too.
void schedule_attention(int64_t window, const std::vector<int64_t>& positions, bool split,
                        detail::AttentionSchedule& schedule) {
  const size_t tokens = positions.size();
  schedule.first.resize(tokens);
  schedule.cost.resize(tokens + 1);
  schedule.cost[0] = 0;
  schedule.longest = 0;
  for (size_t t = 0; t < tokens; ++t) {
    schedule.first[t] = window != 0 ? std::max<int64_t>(0, positions[t] + 1 - window) : 0;
    const int64_t count = positions[t] + 1 - schedule.first[t];
    schedule.cost[t + 1] = schedule.cost[t] + count;
    schedule.longest = std::max(schedule.longest, count);
  }
  schedule.first_chunk.clear();
  if (!split) return;
  schedule.first_chunk.resize(tokens + 1);
  schedule.first_chunk[0] = 0;
  for (size_t t = 0; t < tokens; ++t)
    schedule.first_chunk[t + 1] =
        schedule.first_chunk[t] + attention_chunks(schedule.cost[t + 1] - schedule.cost[t]);
}

}  // namespace

using kv_cache::KvCacheShape;

struct CpuExecutor::Impl {
  BoundPlan plan;
  int64_t max_context = 0;
  MatmulPath path = MatmulPath::kScalar;
  std::unique_ptr<float[]> arena;
  std::vector<float> shared_scratch;
  std::vector<float> attention_partials;  // a split attention's chunks (see StepState)
  int64_t partial_floats = 0;             // the most floats any attention's chunk result takes
  std::vector<std::vector<float>> thread_scratch;
  MatmulInput matmul_input;
  std::vector<int32_t> ids, output_rows;  // the step's tokens, chunk after chunk
  std::vector<int64_t> positions;
  std::vector<const KvSequence*> token_sequences;
  std::unique_ptr<PagedKvCache> cache;
  std::unique_ptr<ThreadPool> pool;
};

CpuExecutor::CpuExecutor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CpuExecutor::~CpuExecutor() = default;

Result<std::unique_ptr<CpuExecutor>> CpuExecutor::create(const artifact::Artifact& artifact,
                                                         const ExecutorOptions& options) {
  if (options.threads < 0 || options.threads > device::kMaxCpuThreads)
    return make_error(StatusCode::kInvalidArgument,
                      "threads must be 0 (one per physical core) or 1 to " +
                          std::to_string(device::kMaxCpuThreads) + ", got " +
                          std::to_string(options.threads));
  auto impl = std::make_unique<Impl>();
  impl->path = best_matmul_path();
  if (!options.cpu_matmul.empty()) {
    if (!matmul_path_from_name(options.cpu_matmul, impl->path))
      return make_error(StatusCode::kInvalidArgument,
                        "unknown CPU matmul path '" + options.cpu_matmul +
                            "' (amx, avx512vnni, avx2, scalar or reference)");
    if (!matmul_path_supported(impl->path))
      return make_error(StatusCode::kUnimplemented,
                        "this CPU cannot run matmul path '" + options.cpu_matmul + "'");
  }
  INGOT_ASSIGN_OR_RETURN(impl->plan, bind_plan(artifact));
  BoundPlan& plan = impl->plan;
  const Status packed = pack_matmul_weights(artifact, plan);
  if (!packed.ok()) return make_error(packed.code(), artifact.path() + ": " + packed.message());

  INGOT_ASSIGN_OR_RETURN(impl->max_context, device::context_length(artifact, options));

  impl->arena.reset(new (std::nothrow) float[plan.arena_floats]);
  if (!impl->arena)
    return make_error(StatusCode::kResourceExhausted,
                      artifact.path() + ": cannot allocate the arena");
  read_qkv_in_place(plan);
  plan.resolve_arena(impl->arena.get());

  INGOT_ASSIGN_OR_RETURN(KvDType dtype, device::cache_dtype(artifact, options));
  if (plan.cache_layers > 0) {
    const KvCacheShape shape =
        device::kv_cache_shape(artifact, options, plan.cache_layers, plan.cache_row_elements,
                               impl->max_context, dtype, host_available_memory());
    auto cache = PagedKvCache::create(shape);
    if (!cache.ok())
      return make_error(cache.status().code(), artifact.path() + ": " + cache.status().message());
    impl->cache = std::move(*cache);
  }

  const int threads = options.threads > 0 ? options.threads : physical_cores();
  impl->pool = std::make_unique<ThreadPool>(threads);
  impl->thread_scratch.resize(static_cast<size_t>(threads));
  impl->shared_scratch.resize(static_cast<size_t>(plan.max_tokens * plan.widest_activation));
  for (const detail::BoundKernel& kernel : plan.kernels)
    impl->partial_floats =
        std::max(impl->partial_floats, attention_partial_floats(kernel.attention));
  return std::unique_ptr<CpuExecutor>(new CpuExecutor(std::move(impl)));
}

Status CpuExecutor::step_batch(const device::BatchRequest& request) {
  Impl& impl = *impl_;
  const BoundPlan& plan = impl.plan;
  INGOT_RETURN_IF_ERROR(
      device::check_batch(request, plan.max_tokens, plan.vocab_size, impl.max_context));
  // The chunks' tokens one after another, each with its sequence and position.
  impl.ids.clear();
  impl.positions.clear();
  impl.token_sequences.clear();
  impl.output_rows.clear();
  for (const device::SequenceChunk& chunk : request.chunks) {
    KvSequence& sequence = *chunk.sequence;
    const int64_t first = static_cast<int64_t>(impl.ids.size());
    if (impl.cache)
      INGOT_RETURN_IF_ERROR(impl.cache->reserve(
          sequence, sequence.length + static_cast<int64_t>(chunk.tokens.size())));
    for (size_t i = 0; i < chunk.tokens.size(); ++i) {
      impl.ids.push_back(chunk.tokens[i]);
      impl.positions.push_back(sequence.length + static_cast<int64_t>(i));
      impl.token_sequences.push_back(&sequence);
    }
    for (int32_t row : chunk.output_rows)
      impl.output_rows.push_back(static_cast<int32_t>(first + row));
  }
  const int64_t tokens = static_cast<int64_t>(impl.ids.size());

  SpinBarrier barrier(impl.pool->size());
  detail::StepState state;
  state.threads = impl.pool->size();
  state.barrier = &barrier;
  state.tokens = tokens;
  state.ids = impl.ids.data();
  state.positions = impl.positions.data();
  state.sequences = impl.token_sequences.data();
  // Under four tokens a thread, whole tokens would leave threads idle or reading the same rows.
  state.split_attention = tokens < 4 * state.threads && impl.partial_floats > 0;
  schedule_attention(0, impl.positions, state.split_attention, state.attention[0]);
  if (plan.attention_window != 0)
    schedule_attention(plan.attention_window, impl.positions, state.split_attention,
                       state.attention[1]);
  if (state.split_attention) {  // the full schedule has the most chunks; both share the space
    const size_t floats = static_cast<size_t>(
        state.attention[0].first_chunk[static_cast<size_t>(tokens)] * impl.partial_floats);
    if (impl.attention_partials.size() < floats) impl.attention_partials.resize(floats);
    for (detail::AttentionSchedule& schedule : state.attention)
      schedule.partials = impl.attention_partials.data();
  }
  state.cache = impl.cache.get();
  state.output_rows = impl.output_rows;
  state.logits = request.logits;
  state.path = impl.path;
  state.matmul_input = &impl.matmul_input;
  state.shared_scratch = impl.shared_scratch.data();
  state.thread_scratch = &impl.thread_scratch;
  impl.pool->run([&](int thread) {
    for (const detail::BoundKernel& kernel : plan.kernels) {
      if (kernel.run == nullptr || kernel.skipped) continue;
      kernel.run(state, kernel, thread);
      barrier.wait();
    }
  });
  if (!state.error.ok()) return state.error;
  for (const device::SequenceChunk& chunk : request.chunks)
    chunk.sequence->length += static_cast<int64_t>(chunk.tokens.size());
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
