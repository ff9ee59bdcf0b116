"""Writes model.onnx: a toy "cross-encoder" with the inputs and output of a real BERT cross-encoder
(input_ids, attention_mask, token_type_ids [batch, length] int64 -> logits [batch, 1] float), whose logit is the
number of passage tokens (segment 1) that also occur in the query (segment 0), minus 1 for the shared [SEP].
It lets CrossEncoderRerankerIT run the real ONNX Runtime path (tokenize pairs, pad, batch, read logits) offline.
Regenerate with: PYTHONPATH=<onnx install> python3 make_toy_cross_encoder.py (onnx 1.23)."""
from onnx import TensorProto, helper, save

B, L = "batch", "length"
nodes = [
    helper.make_node("Constant", [], ["zero"], value=helper.make_tensor("zero", TensorProto.INT64, [], [0])),
    helper.make_node("Constant", [], ["one"], value=helper.make_tensor("one", TensorProto.INT64, [], [1])),
    helper.make_node("Constant", [], ["onef"], value=helper.make_tensor("onef", TensorProto.FLOAT, [], [1.0])),
    helper.make_node("Constant", [], ["ax1"], value=helper.make_tensor("ax1", TensorProto.INT64, [1], [1])),
    helper.make_node("Constant", [], ["ax2"], value=helper.make_tensor("ax2", TensorProto.INT64, [1], [2])),
    helper.make_node("Equal", ["attention_mask", "one"], ["real"]),
    helper.make_node("Equal", ["token_type_ids", "zero"], ["t0"]),
    helper.make_node("Equal", ["token_type_ids", "one"], ["t1"]),
    helper.make_node("And", ["t0", "real"], ["seg0"]),
    helper.make_node("And", ["t1", "real"], ["seg1"]),
    helper.make_node("Unsqueeze", ["input_ids", "ax2"], ["ids_q"]),      # [B, L, 1]
    helper.make_node("Unsqueeze", ["input_ids", "ax1"], ["ids_p"]),      # [B, 1, L]
    helper.make_node("Equal", ["ids_q", "ids_p"], ["same"]),             # [B, L, L]
    helper.make_node("Unsqueeze", ["seg0", "ax2"], ["seg0_q"]),
    helper.make_node("Unsqueeze", ["seg1", "ax1"], ["seg1_p"]),
    helper.make_node("And", ["same", "seg0_q"], ["same_q"]),
    helper.make_node("And", ["same_q", "seg1_p"], ["match"]),
    helper.make_node("Cast", ["match"], ["matchf"], to=TensorProto.FLOAT),
    helper.make_node("ReduceMax", ["matchf"], ["matched"], axes=[1], keepdims=0),   # [B, L] passage tokens
    helper.make_node("ReduceSum", ["matched", "ax1"], ["count"], keepdims=1),        # [B, 1]
    helper.make_node("Sub", ["count", "onef"], ["logits"]),
]
inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, [B, L])
          for n in ("input_ids", "attention_mask", "token_type_ids")]
outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [B, 1])]
graph = helper.make_graph(nodes, "toy-cross-encoder", inputs, outputs)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="streamrag-test")
model.ir_version = 8
save(model, "model.onnx")
