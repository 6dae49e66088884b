#include "compiler/emit/plan_export.h"

#include "ir/IngotDialect.h"
#include "runtime/artifact/weight_size.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace ingot::emit {
namespace {

using namespace ingot::ir;
namespace fb = flatbuffers;

// The schema encoding of an IR encoding: both enums list MAX's spellings in the
// same order, which the name comparison guards.
std::optional<schema::Encoding> schema_encoding(Encoding encoding) {
  auto converted = static_cast<schema::Encoding>(static_cast<uint32_t>(encoding));
  if (stringifyEncoding(encoding) != schema::EnumNameEncoding(converted)) return std::nullopt;
  return converted;
}

// "blk.0.attn_q.weight" + "blk.0.attn_k.weight" -> "blk.0.attn_q+attn_k.weight".
std::string stacked_name(const std::vector<std::string>& names) {
  size_t prefix = names.front().size(), suffix = names.front().size();
  for (const std::string& name : names) {
    size_t p = 0;
    while (p < prefix && p < name.size() && name[p] == names.front()[p]) ++p;
    prefix = p;
    size_t s = 0;
    while (s < suffix && s < name.size() &&
           name[name.size() - 1 - s] == names.front()[names.front().size() - 1 - s]) {
      ++s;
    }
    suffix = s;
  }
  std::string out = names.front().substr(0, prefix);
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += "+";
    out += names[i].substr(prefix,
                           names[i].size() - prefix - std::min(suffix, names[i].size() - prefix));
  }
  return out + names.front().substr(names.front().size() - suffix);
}

class PlanExporter {
 public:
  PlanExporter(fb::FlatBufferBuilder& b, mlir::func::FuncOp func) : b_(b), func_(func) {}

  mlir::FailureOr<ExportedPlan> run() {
    for (mlir::BlockArgument argument : func_.getArguments()) {
      inputs_.push_back(add_value(argument, schema::ValueKind::input, 1, 0, 0));
    }
    std::vector<fb::Offset<schema::Kernel>> kernels;
    for (mlir::Operation& op : func_.getBody().front()) {
      if (auto kernel = mlir::dyn_cast<KernelOp>(op)) {
        auto serialized = export_kernel(kernel);
        if (mlir::failed(serialized)) return mlir::failure();
        kernels.push_back(*serialized);
      } else if (auto ret = mlir::dyn_cast<mlir::func::ReturnOp>(op)) {
        for (mlir::Value value : ret.getOperands()) outputs_.push_back(ids_.lookup(value));
      } else if (!mlir::isa<WeightOp, ConcatWeightsOp>(op)) {
        return op.emitError("cannot export: not lowered to ingot.kernel (run ingot-lower-to-plan)");
      }
    }
    auto arena = func_->getAttrOfType<mlir::IntegerAttr>("ingot.arena_bytes");
    auto tokens = func_->getAttrOfType<mlir::IntegerAttr>("ingot.max_tokens");
    if (!arena || !tokens)
      return func_.emitError("cannot export: memory is not planned (run ingot-plan-memory)");
    ExportedPlan out;
    out.plan = schema::CreatePlan(b_, b_.CreateVector(values_), b_.CreateVector(kernels),
                                  b_.CreateVector(inputs_), b_.CreateVector(outputs_),
                                  static_cast<uint64_t>(arena.getInt()),
                                  static_cast<uint32_t>(tokens.getInt()));
    out.weights = std::move(weights_);
    return out;
  }

 private:
  uint32_t add_value(mlir::Value value, schema::ValueKind kind, uint32_t features, uint32_t rows,
                     uint64_t arena_offset, uint32_t weight = 0) {
    uint32_t id = static_cast<uint32_t>(values_.size());
    values_.push_back(schema::CreateValue(b_, kind, features, rows, arena_offset, weight));
    ids_[value] = id;
    return id;
  }

  // The value id of a weight operand, exporting the weight on first use.
  mlir::FailureOr<uint32_t> weight_value(mlir::Value value) {
    if (auto it = ids_.find(value); it != ids_.end()) return it->second;
    WeightSpec spec;
    auto type = mlir::cast<mlir::RankedTensorType>(value.getType());
    std::optional<schema::Encoding> encoding = schema_encoding(getEncoding(type).getValue());
    std::optional<quant::GgmlType> storage =
        encoding ? artifact::ggml_type_for(*encoding) : std::nullopt;
    mlir::Operation* def = value.getDefiningOp();
    if (!storage) {
      return def->emitError() << "cannot export encoding "
                              << stringifyEncoding(getEncoding(type).getValue())
                              << ": no encoder in this build";
    }
    spec.encoding = *encoding;
    spec.type = *storage;
    for (int64_t dim : type.getShape()) spec.shape.push_back(static_cast<uint64_t>(dim));
    if (auto weight = mlir::dyn_cast_or_null<WeightOp>(def)) {
      spec.name = weight.getName().str();
      spec.sources = {spec.name};
    } else if (auto concat = mlir::dyn_cast_or_null<ConcatWeightsOp>(def)) {
      for (mlir::Value part : concat.getWeights()) {
        auto source = part.getDefiningOp<WeightOp>();
        if (!source)
          return concat.emitError("cannot export: stacked weights must be ingot.weight ops");
        spec.sources.push_back(source.getName().str());
      }
      spec.name = stacked_name(spec.sources);
    } else {
      return mlir::emitError(value.getLoc(), "cannot export: a weight operand is not a weight");
    }
    uint32_t index = static_cast<uint32_t>(weights_.size());
    weights_.push_back(std::move(spec));
    return add_value(value, schema::ValueKind::weight, 0, 0, 0, index);
  }

  mlir::FailureOr<fb::Offset<schema::Kernel>> export_kernel(KernelOp kernel) {
    std::vector<uint32_t> inputs;
    for (mlir::Value operand : kernel.getInputs()) {
      if (getEncoding(operand.getType())) {
        auto id = weight_value(operand);
        if (mlir::failed(id)) return mlir::failure();
        inputs.push_back(*id);
      } else if (auto it = ids_.find(operand); it != ids_.end()) {
        inputs.push_back(it->second);
      } else {
        return kernel.emitError("cannot export: operand defined outside the plan");
      }
    }
    auto offsets = kernel->getAttrOfType<mlir::DenseI64ArrayAttr>("ingot.arena_offsets");
    if (kernel.getNumResults() > 0 &&
        (!offsets || offsets.size() != static_cast<int64_t>(kernel.getNumResults()))) {
      return kernel.emitError("cannot export: results have no arena offsets");
    }
    bool one_row = kernel.getParams().get("last_token_only") != nullptr;
    std::vector<uint32_t> outputs;
    const llvm::ArrayRef<int64_t> result_offsets =
        offsets ? offsets.asArrayRef() : llvm::ArrayRef<int64_t>();
    for (auto [result, offset] : llvm::zip(kernel.getResults(), result_offsets)) {
      auto type = mlir::cast<mlir::RankedTensorType>(result.getType());
      outputs.push_back(add_value(result, schema::ValueKind::activation,
                                  static_cast<uint32_t>(type.getDimSize(1)), one_row ? 1 : 0,
                                  static_cast<uint64_t>(offset)));
    }
    std::vector<fb::Offset<schema::Param>> params;
    for (mlir::NamedAttribute attr : kernel.getParams()) params.push_back(export_param(attr));
    std::vector<fb::Offset<fb::String>> fused;
    for (mlir::Attribute name : kernel.getFused()) {
      fused.push_back(b_.CreateString(mlir::cast<mlir::StringAttr>(name).getValue().str()));
    }
    return schema::CreateKernel(b_, b_.CreateString(kernel.getKernel().str()),
                                b_.CreateVector(inputs), b_.CreateVector(outputs),
                                b_.CreateVector(params), b_.CreateVector(fused));
  }

  fb::Offset<schema::Param> export_param(mlir::NamedAttribute attr) {
    auto name = b_.CreateString(attr.getName().str());
    mlir::Attribute value = attr.getValue();
    if (auto integer = mlir::dyn_cast<mlir::IntegerAttr>(value)) {
      return schema::CreateParam(b_, name, schema::ParamKind::integer, integer.getInt());
    }
    if (auto real = mlir::dyn_cast<mlir::FloatAttr>(value)) {
      return schema::CreateParam(b_, name, schema::ParamKind::real, 0, real.getValueAsDouble());
    }
    if (auto text = mlir::dyn_cast<mlir::StringAttr>(value)) {
      return schema::CreateParam(b_, name, schema::ParamKind::text, 0, 0,
                                 b_.CreateString(text.getValue().str()));
    }
    if (auto ints = mlir::dyn_cast<mlir::DenseI64ArrayAttr>(value)) {
      return schema::CreateParam(b_, name, schema::ParamKind::integers, 0, 0, 0,
                                 b_.CreateVector(ints.asArrayRef().vec()));
    }
    if (auto rope = mlir::dyn_cast<RopeAttr>(value)) {
      flatbuffers::Offset<flatbuffers::Vector<float>> freq_factors;
      if (mlir::DenseF32ArrayAttr factors = rope.getFreqFactors())
        freq_factors = b_.CreateVector(factors.asArrayRef().data(), factors.size());
      auto params = schema::CreateRopeParams(
          b_, static_cast<schema::RopeType>(rope.getKind()), rope.getTheta().convertToDouble(),
          rope.getDim(), rope.getFactor().convertToDouble(), rope.getOriginalContext(),
          rope.getExtFactor().convertToDouble(), rope.getAttnFactor().convertToDouble(),
          rope.getBetaFast().convertToDouble(), rope.getBetaSlow().convertToDouble(),
          freq_factors);
      return schema::CreateParam(b_, name, schema::ParamKind::rope, 0, 0, 0, 0, params);
    }
    return schema::CreateParam(b_, name, schema::ParamKind::flag);  // unit attributes
  }

  fb::FlatBufferBuilder& b_;
  mlir::func::FuncOp func_;
  llvm::DenseMap<mlir::Value, uint32_t> ids_;
  std::vector<fb::Offset<schema::Value>> values_;
  std::vector<uint32_t> inputs_, outputs_;
  std::vector<WeightSpec> weights_;
};

}  // namespace

mlir::FailureOr<ExportedPlan> export_plan(mlir::ModuleOp module, fb::FlatBufferBuilder& builder) {
  auto forward = module.lookupSymbol<mlir::func::FuncOp>("forward");
  if (!forward || !forward.getBody().hasOneBlock()) {
    return module.emitError("cannot export: no single-block @forward function");
  }
  return PlanExporter(builder, forward).run();
}

}  // namespace ingot::emit
