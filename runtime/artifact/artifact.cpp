#include "runtime/artifact/artifact.h"

#include <xxhash.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "runtime/artifact/dummy_fill.h"
#include "runtime/artifact/field_error.h"
#include "runtime/artifact/format.h"
#include "runtime/artifact/verify_model.h"

namespace ingot::artifact {
namespace {

constexpr uint64_t kPrefixBytes = sizeof(flatbuffers::uoffset_t);
constexpr uint64_t kIdentifierAt = 2 * kPrefixBytes;  // after the prefix and the root offset

std::string identifier_text(const uint8_t* bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (int i = 0; i < 4; ++i) {
    uint8_t c = bytes[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out + "\"";
}

// Rules 1-3: sizes, identifier and the FlatBuffers Verifier. Sets `flatbuffer_end`.
Status verify_container(std::span<const uint8_t> bytes, const FieldErrors& errors,
                        uint64_t& flatbuffer_end) {
  const uint64_t size = bytes.size();
  // The model ingot-compile reads, given where its output belongs: say what to do.
  if (size >= 4 && std::memcmp(bytes.data(), "GGUF", 4) == 0) {
    return errors.corrupt("file identifier", 0,
                          "not an ingot artifact but a GGUF model; compile it first "
                          "(ingot-compile MODEL.gguf -o MODEL.ingot)");
  }
  if (size < 2 * kPrefixBytes) {
    return errors.corrupt("size prefix", 0,
                          "the file is " + std::to_string(size) +
                              " bytes, too short for an ingot artifact (truncated?)");
  }
  if (size >= kIdentifierAt + 4 &&
      std::memcmp(bytes.data() + kIdentifierAt, kFileIdentifier, 4) != 0) {
    return errors.corrupt("file identifier", kIdentifierAt,
                          "not an ingot artifact (identifier " +
                              identifier_text(bytes.data() + kIdentifierAt) + ", expected \"" +
                              kFileIdentifier + "\")");
  }
  uint32_t prefix = 0;
  std::memcpy(&prefix, bytes.data(), sizeof(prefix));
  if (prefix > size - kPrefixBytes) {
    return errors.corrupt("size prefix", 0,
                          "a FlatBuffer of " + std::to_string(prefix) + " bytes does not fit in the " +
                              std::to_string(size) + "-byte file (truncated?)");
  }
  if (kPrefixBytes + prefix >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    return errors.corrupt("size prefix", 0,
                          "a FlatBuffer of " + std::to_string(prefix) +
                              " bytes is over the 2 GiB FlatBuffer limit");
  }
  if (prefix < 2 * kPrefixBytes) {
    return errors.corrupt("size prefix", 0,
                          "a FlatBuffer of " + std::to_string(prefix) +
                              " bytes cannot hold a root table and an identifier");
  }
  flatbuffer_end = kPrefixBytes + prefix;
  flatbuffers::Verifier::Options options;
  options.max_depth = 64;
  options.max_tables = prefix / 4 + 1;  // every table starts with a 4-byte vtable offset
  options.check_alignment = true;
  flatbuffers::Verifier verifier(bytes.data(), flatbuffer_end, options);
  if (!schema::VerifySizePrefixedModelBuffer(verifier)) {
    return errors.corrupt("model", 0,
                          "the " + std::to_string(flatbuffer_end) +
                              "-byte FlatBuffer fails the FlatBuffers verifier (corrupt)");
  }
  return Status::ok_status();
}

// Rule 4: the version is one this runtime reads.
Status verify_version(const schema::Model& model, const FieldErrors& errors) {
  const uint64_t at = errors.at(&model, schema::Model::VT_VERSION);
  const schema::FormatVersion* version = model.version();
  if (version == nullptr) return errors.corrupt("version", at, "missing");
  const std::string text = std::to_string(version->major()) + "." + std::to_string(version->minor());
  const std::string reads = std::to_string(kFormatMajor) + ".x";
  if (version->major() != kFormatMajor) {
    // An older major never shipped, so it is corruption rather than an old file.
    const StatusCode code =
        version->major() > kFormatMajor ? StatusCode::kUnimplemented : StatusCode::kDataLoss;
    return errors.error(code, "version", at, "format version " + text + ", this runtime reads " + reads);
  }
  if (version->minor() > kFormatMinor) {
    return errors.unsupported("version", at,
                              "format version " + text + ", this runtime reads " + reads +
                                  " up to " + std::to_string(kFormatMajor) + "." +
                                  std::to_string(kFormatMinor));
  }
  return Status::ok_status();
}

// Rule 5: zero padding, then a segment of exactly weight_segment_size bytes to the end.
Status verify_segment(std::span<const uint8_t> bytes, const schema::Model& model,
                      uint64_t flatbuffer_end, const FieldErrors& errors, uint64_t& segment_offset) {
  const uint64_t size = bytes.size();
  align_up(flatbuffer_end, kSegmentAlignment, segment_offset);  // cannot overflow: < 2^31 + 4096
  if (segment_offset > size) {
    return errors.corrupt("weight segment", size,
                          "the file ends before the weight segment at byte " +
                              std::to_string(segment_offset) + " (truncated)");
  }
  for (uint64_t i = flatbuffer_end; i < segment_offset; ++i) {
    if (bytes[i] != 0) {
      return errors.corrupt("padding", i, "non-zero byte before the weight segment");
    }
  }
  const uint64_t available = size - segment_offset;
  if (model.load_format() == schema::LoadFormat::dummy) {  // the runtime makes the segment
    if (available != 0)
      return errors.corrupt("load_format", segment_offset,
                            "is dummy, but the file holds " + std::to_string(available) +
                                " bytes after the FlatBuffer");
    return Status::ok_status();
  }
  if (model.weight_segment_size() != available) {
    return errors.corrupt(
        "weight_segment_size", errors.at(&model, schema::Model::VT_WEIGHT_SEGMENT_SIZE),
        "is " + std::to_string(model.weight_segment_size()) + " bytes, but the file holds " +
            std::to_string(available) + " after byte " + std::to_string(segment_offset) +
            (model.weight_segment_size() > available ? " (truncated)" : " (trailing bytes)"));
  }
  return Status::ok_status();
}

std::string hex64(uint64_t value) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 15];
  return out;
}

// Rule 9: XXH64 (seed 0) of the segment and of each weight.
Status verify_checksums(const schema::Model& model, std::span<const uint8_t> segment,
                        uint64_t segment_offset, const FieldErrors& errors) {
  const uint64_t whole = XXH64(segment.data(), segment.size(), 0);
  if (whole != model.weight_segment_checksum()) {
    return errors.corrupt("weight_segment_checksum", segment_offset,
                          "checksum mismatch: the segment hashes to " + hex64(whole) +
                              ", the file records " + hex64(model.weight_segment_checksum()));
  }
  const auto* weights = model.weights();
  for (uint32_t i = 0; weights != nullptr && i < weights->size(); ++i) {
    const schema::Weight& weight = *weights->Get(i);
    const uint64_t hash = XXH64(segment.data() + weight.offset(), weight.size(), 0);
    if (hash != weight.checksum()) {
      return errors.corrupt(indexed("weights", i) + ".checksum", segment_offset + weight.offset(),
                            "checksum mismatch: the bytes hash to " + hex64(hash) +
                                ", the file records " + hex64(weight.checksum()));
    }
  }
  return Status::ok_status();
}

}  // namespace

Result<Artifact> Artifact::open(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return make_error(StatusCode::kInvalidArgument,
                      path + ": a folder, not an ingot artifact; a Hugging Face model folder is "
                             "compiled first (ingot-compile FOLDER -o MODEL.ingot)");
  }
  INGOT_ASSIGN_OR_RETURN(MappedFile file, MappedFile::open(path));
  return parse(std::move(file), options);
}

Result<Artifact> Artifact::parse(MappedFile file, const LoadOptions& options) {
  const std::span<const uint8_t> bytes = file.bytes();
  const FieldErrors errors(file.path(), bytes.data());
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(uint64_t) != 0) {
    return errors.error(StatusCode::kInvalidArgument, "file", 0,
                        "the bytes are not 8-byte aligned in memory");
  }
  uint64_t flatbuffer_end = 0;
  INGOT_RETURN_IF_ERROR(verify_container(bytes, errors, flatbuffer_end));
  const schema::Model& model = *schema::GetSizePrefixedModel(bytes.data());
  INGOT_RETURN_IF_ERROR(verify_version(model, errors));
  if (!schema::EnumNameLoadFormat(model.load_format())[0])
    return errors.corrupt("load_format", errors.at(&model, schema::Model::VT_LOAD_FORMAT),
                          "unknown value " + std::to_string(static_cast<int>(model.load_format())));
  const bool dummy = model.load_format() == schema::LoadFormat::dummy;
  uint64_t segment_offset = 0;
  INGOT_RETURN_IF_ERROR(verify_segment(bytes, model, flatbuffer_end, errors, segment_offset));
  const uint64_t segment_size = dummy ? model.weight_segment_size() : bytes.size() - segment_offset;
  INGOT_RETURN_IF_ERROR(verify_weights(model, segment_size, errors));
  INGOT_RETURN_IF_ERROR(verify_plan(model, errors));
  // Dummy-weight artifacts may have no tokenizer: they are for measuring, on token ids.
  if (!dummy || model.tokenizer() != nullptr) INGOT_RETURN_IF_ERROR(verify_tokenizer(model, errors));
  Artifact artifact;
  if (dummy) {
    INGOT_ASSIGN_OR_RETURN(artifact.dummy_segment_,
                           AnonymousMemory::reserve(segment_size, file.path() + ": dummy weights"));
    if (options.fill_dummy_weights) {
      INGOT_RETURN_IF_ERROR(fill_dummy_weights(model, artifact.dummy_segment_.bytes(), file.path()));
      artifact.dummy_filled_ = true;
    }
  } else if (options.verify_checksums) {
    INGOT_RETURN_IF_ERROR(
        verify_checksums(model, bytes.subspan(segment_offset), segment_offset, errors));
    // Hashing touched every page; a device reads what it needs back from the page cache.
    file.release(bytes.subspan(segment_offset));
  }
  artifact.model_ = &model;
  artifact.segment_offset_ = segment_offset;
  artifact.segment_size_ = segment_size;
  artifact.file_ = std::move(file);  // moving a map keeps its address, so `model_` stays valid
  return artifact;
}

size_t Artifact::weight_count() const {
  return model_->weights() != nullptr ? model_->weights()->size() : 0;
}

std::span<const uint8_t> Artifact::weight_bytes(size_t index) const {
  if (index >= weight_count()) return {};
  const schema::Weight& weight = *model_->weights()->Get(static_cast<flatbuffers::uoffset_t>(index));
  return segment().subspan(weight.offset(), weight.size());
}

std::span<const uint8_t> Artifact::segment() const {
  if (has_dummy_weights()) return dummy_segment_.bytes();
  return file_.bytes().subspan(segment_offset_, segment_size_);
}

bool Artifact::has_dummy_weights() const {
  return model_->load_format() == schema::LoadFormat::dummy;
}

}  // namespace ingot::artifact
