#include "test/support/gguf_builder.h"

namespace ingot::testing {

std::vector<uint8_t> make_sample_gguf(uint32_t version) {
  GgufBuilder b;
  b.header(version, 3, 18);
  b.kv_str("general.architecture", "llama");
  b.kv_u32("general.alignment", 64);
  b.key("test.u8", 0).put<uint8_t>(200);
  b.key("test.i8", 1).put<int8_t>(-100);
  b.key("test.u16", 2).put<uint16_t>(60000);
  b.key("test.i16", 3).put<int16_t>(-30000);
  b.key("test.i32", 5).put<int32_t>(-2000000000);
  b.key("test.f32", 6).put<float>(0.15625f);
  b.key("test.bool", 7).put<uint8_t>(1);
  b.key("test.u64", 10).u64(18000000000000000000ull);
  b.key("test.i64", 11).put<int64_t>(-9000000000000000000ll);
  b.key("test.f64", 12).put<double>(-2.5e-300);
  b.kv_str("test.utf8", "h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c");
  b.key("test.strings", 9).u32(8).u64(3).str("a b").str("").str("\xf0\x9f\x98\x80");
  b.key("test.ints", 9)
      .u32(5)
      .u64(4)
      .put<int32_t>(3)
      .put<int32_t>(-1)
      .put<int32_t>(7)
      .put<int32_t>(2147483647);
  b.key("test.nested", 9).u32(9).u64(2);
  b.u32(4).u64(2).u32(1).u32(2);  // [1, 2]
  b.u32(8).u64(1).str("x");       // ["x"]
  b.key("test.bools", 9).u32(7).u64(3).put<uint8_t>(1).put<uint8_t>(0).put<uint8_t>(1);
  b.key("test.floats", 9).u32(6).u64(2).put<float>(1.5f).put<float>(-0.25f);
  // Tensors: F32 [3, 2] (24 bytes), F16 [5] (10 bytes), Q8_0 [32, 2] (68 bytes).
  b.tensor("a.f32", {3, 2}, 0, 0);
  b.tensor("b.f16", {5}, 1, 64);
  b.tensor("c.q8_0", {32, 2}, 8, 128);
  b.pad_to(64);
  std::vector<uint8_t> data(128 + 68);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 37 + 11);
  float floats[6] = {1.0f, -2.0f, 3.5f, 0.125f, -7.0f, 100.0f};
  std::memcpy(data.data(), floats, sizeof(floats));
  b.data(data);
  return b.bytes();
}

}  // namespace ingot::testing
