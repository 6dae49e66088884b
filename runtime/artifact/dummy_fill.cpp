#include "runtime/artifact/dummy_fill.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "runtime/artifact/weight_size.h"
#include "runtime/io/host_memory.h"

namespace ingot::artifact {

Result<quant::dummy::FillParams> dummy_fill_params(const schema::Model& model, uint32_t index,
                                                   const std::string& path) {
  const schema::Weight& weight = *model.weights()->Get(index);
  const std::optional<quant::GgmlType> type = ggml_type_for(weight.encoding());
  if (!type || !quant::dummy::fill_supported(*type))
    return make_error(StatusCode::kUnimplemented,
                      path + ": weights[" + std::to_string(index) + "]: no dummy fill for " +
                          schema::EnumNameEncoding(weight.encoding()));
  const auto& shape = *weight.shape();
  return quant::dummy::fill_params(*type, shape.Get(shape.size() - 1), shape.size() == 1,
                                   model.dummy_seed(), index);
}

Status fill_dummy_weights(const schema::Model& model, std::span<uint8_t> segment,
                          const std::string& path) {
  const uint64_t available = host_available_memory();
  if (available != 0 && segment.size() > available)
    return make_error(StatusCode::kResourceExhausted,
                      path + ": dummy weights need " + std::to_string(segment.size() >> 20) +
                          " MiB, the host has " + std::to_string(available >> 20) +
                          " MiB available");
  // Tasks of at most 4 MiB each, taken by the threads in turn.
  struct Task {
    quant::dummy::FillParams params;
    uint8_t* out;
    uint64_t first_block, blocks;
  };
  std::vector<Task> tasks;
  const uint32_t count = model.weights() ? model.weights()->size() : 0;
  for (uint32_t i = 0; i < count; ++i) {
    INGOT_ASSIGN_OR_RETURN(quant::dummy::FillParams params, dummy_fill_params(model, i, path));
    const schema::Weight& weight = *model.weights()->Get(i);
    const uint64_t blocks = weight.size() / params.block_bytes;
    const uint64_t per_task = std::max<uint64_t>(1, (uint64_t{4} << 20) / params.block_bytes);
    for (uint64_t first = 0; first < blocks; first += per_task)
      tasks.push_back({params, segment.data() + weight.offset() + first * params.block_bytes,
                       first, std::min(per_task, blocks - first)});
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t t; (t = next.fetch_add(1)) < tasks.size();) {
      const Task& task = tasks[t];
      for (uint64_t b = 0; b < task.blocks; ++b)
        quant::dummy::fill_block(task.params, task.first_block + b,
                                 task.out + b * task.params.block_bytes);
    }
  };
  const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 64u);
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  return Status::ok_status();
}

}  // namespace ingot::artifact
