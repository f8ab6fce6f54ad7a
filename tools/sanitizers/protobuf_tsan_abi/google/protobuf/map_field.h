// Under --config=tsan only (tools/sanitizers:protobuf_tsan_abi): the
// protobuf 3.21 MapFieldBase layout of Debian's libprotobuf, which is built
// without -fsanitize=thread.
//
// map_field.h gives MapFieldBase two extra members (seq1_, seq2_, its own
// race check) when __SANITIZE_THREAD__ is defined. Our generated code and
// inline protobuf code compiled with -fsanitize=thread would lay map fields
// out with them, while libprotobuf's reflection (MapFieldBase::
// SyncRepeatedFieldWithMap and the rest of map_field.cc) reads state_,
// mutex_ and the derived fields at the offsets without them: a wild access,
// seen as a SEGV in Reflection::AddMessage on a map field (translator_test,
// golden_test). Every TU that includes the header gets the library's layout
// through this wrapper; TSan still instruments every access our code makes.
#ifndef DORIS_OPERATOR_TOOLS_SANITIZERS_PROTOBUF_TSAN_ABI_MAP_FIELD_H_
#define DORIS_OPERATOR_TOOLS_SANITIZERS_PROTOBUF_TSAN_ABI_MAP_FIELD_H_

#pragma push_macro("__SANITIZE_THREAD__")
#undef __SANITIZE_THREAD__
#include_next <google/protobuf/map_field.h>
#pragma pop_macro("__SANITIZE_THREAD__")

#endif  // DORIS_OPERATOR_TOOLS_SANITIZERS_PROTOBUF_TSAN_ABI_MAP_FIELD_H_
